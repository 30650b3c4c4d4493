/*
 * Fault injection (see fault_inject.h): per-site rates and Nth-call points,
 * the decision, the spec parser shared by fail= and the monitor command,
 * and the xarray node-allocation wrapper.
 *
 * Invariant: a site's injected count never exceeds its call count; a site
 * with rate 0 and nth 0 never fails.
 */
#include "mm/fault_inject.h"
#include "include/errno.h"
#include "lib/string.h"

static const char *const site_names[NR_FAULT_SITES] = {
	[FAULT_PAGE_ALLOC] = "page",
	[FAULT_SLAB] = "slab",
	[FAULT_XA_NODE] = "xa",
	[FAULT_MIGRATE] = "migrate",
};

void fault_inject_init(struct fault_inject *fi, u64 seed)
{
	memset(fi, 0, sizeof(*fi));
	prng_seed(&fi->prng, seed);
}

int fault_inject_set(struct fault_inject *fi, enum fault_site site, unsigned int rate,
		     unsigned long nth)
{
	struct fault_site_state *state;

	if ((unsigned int)site >= NR_FAULT_SITES || rate > FAULT_RATE_MAX)
		return -EINVAL;
	state = &fi->site[site];
	state->rate = rate;
	state->nth = nth ? state->calls + nth : 0;
	return 0;
}

bool fault_inject_armed(const struct fault_inject *fi)
{
	unsigned int i;

	for (i = 0; i < NR_FAULT_SITES; i++)
		if (fi->site[i].rate || fi->site[i].nth)
			return true;
	return false;
}

bool fault_inject_should_fail(struct fault_inject *fi, enum fault_site site)
{
	struct fault_site_state *state = &fi->site[site];
	bool fail;

	state->calls++;
	if (state->nth && state->calls == state->nth) {
		state->nth = 0; /* exactly once */
		fail = true;
	} else {
		fail = state->rate && prng_below(&fi->prng, FAULT_RATE_MAX) < state->rate;
	}
	state->injected += fail;
	return fail;
}

unsigned int fault_inject_pick(struct fault_inject *fi, unsigned int n)
{
	return (unsigned int)prng_below(&fi->prng, n);
}

unsigned long fault_inject_total(const struct fault_inject *fi)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < NR_FAULT_SITES; i++)
		n += fi->site[i].injected;
	return n;
}

const char *fault_site_name(enum fault_site site)
{
	return (unsigned int)site < NR_FAULT_SITES ? site_names[site] : "?";
}

int fault_site_parse(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < NR_FAULT_SITES; i++)
		if (strlen(site_names[i]) == len && !strncmp(site_names[i], name, len))
			return (int)i;
	return -EINVAL;
}

/* "off", "@N" (N >= 1) or "RATE" (0..1000) into @rate/@nth. */
static int parse_value(const char *v, size_t len, unsigned int *rate, unsigned long *nth)
{
	char buf[24];
	unsigned long n;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	*rate = 0;
	*nth = 0;
	if (!strcmp(buf, "off"))
		return 0;
	if (buf[0] == '@') {
		if (kstrtoul(buf + 1, 10, &n) || n == 0)
			return -EINVAL;
		*nth = n;
		return 0;
	}
	if (kstrtoul(buf, 10, &n) || n > FAULT_RATE_MAX)
		return -EINVAL;
	*rate = (unsigned int)n;
	return 0;
}

int fault_inject_parse_spec(struct fault_inject *fi, const char *spec, size_t len)
{
	const char *colon = memchr(spec, ':', len);
	unsigned int rate, i;
	unsigned long nth;
	size_t name_len;
	int site;

	if (!colon)
		return -EINVAL;
	name_len = (size_t)(colon - spec);
	if (parse_value(colon + 1, len - name_len - 1, &rate, &nth))
		return -EINVAL;
	if (name_len == 3 && !strncmp(spec, "all", 3)) {
		for (i = 0; i < NR_FAULT_SITES; i++)
			fault_inject_set(fi, (enum fault_site)i, rate, nth);
		return 0;
	}
	site = fault_site_parse(spec, name_len);
	if (site < 0)
		return -EINVAL;
	return fault_inject_set(fi, (enum fault_site)site, rate, nth);
}

static void *xa_node_alloc_faulty(size_t size, void *priv)
{
	struct fault_xa_ops *ops = priv;

	if (fault_should_fail(ops->mm, FAULT_XA_NODE))
		return NULL;
	return ops->inner->alloc(size, ops->inner->priv);
}

static void xa_node_free_wrapped(void *p, size_t size, void *priv)
{
	struct fault_xa_ops *ops = priv;

	ops->inner->free(p, size, ops->inner->priv);
}

void fault_xa_ops_init(struct fault_xa_ops *ops, struct mm *mm, const struct xa_alloc_ops *inner)
{
	ops->inner = inner;
	ops->mm = mm;
	ops->ops = (struct xa_alloc_ops){ .alloc = xa_node_alloc_faulty,
					.free = xa_node_free_wrapped, .priv = ops };
}
