/*
 * Error numbers. Functions that can fail return 0 or a negative errno, or a
 * pointer that is NULL or ERR_PTR(-errno). Values follow Linux's numbering so
 * that a researcher reading a log recognises them.
 */
#ifndef INCLUDE_ERRNO_H
#define INCLUDE_ERRNO_H

#include "include/types.h"

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENODATA 61
#define EPROTO 71
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

/* Short name of an errno value ("EAGAIN"), or "E?" when unknown. */
const char *errno_name(int error);

#endif
