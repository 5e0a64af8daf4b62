#include "lib/error.h"

static const char *const names[] = {
    [0] = "ERR_OK",
    [-ERR_INVALID] = "ERR_INVALID",
    [-ERR_NOMEM] = "ERR_NOMEM",
    [-ERR_RANGE] = "ERR_RANGE",
    [-ERR_ALIGN] = "ERR_ALIGN",
    [-ERR_EXISTS] = "ERR_EXISTS",
    [-ERR_NOENT] = "ERR_NOENT",
    [-ERR_PERM] = "ERR_PERM",
    [-ERR_BADHANDLE] = "ERR_BADHANDLE",
    [-ERR_STATE] = "ERR_STATE",
    [-ERR_QUOTA] = "ERR_QUOTA",
    [-ERR_TRUNCATED] = "ERR_TRUNCATED",
    [-ERR_CORRUPT] = "ERR_CORRUPT",
    [-ERR_UNSUPPORTED] = "ERR_UNSUPPORTED",
    [-ERR_BUSY] = "ERR_BUSY",
    [-ERR_TIMEOUT] = "ERR_TIMEOUT",
    [-ERR_PEER] = "ERR_PEER",
    [-ERR_FULL] = "ERR_FULL",
    [-ERR_FAULT] = "ERR_FAULT",
    [-ERR_WOULDBLOCK] = "ERR_WOULDBLOCK",
    [-ERR_IO] = "ERR_IO",
    [-ERR_INTERRUPTED] = "ERR_INTERRUPTED",
};

const char *err_name(int code)
{
	if (code > 0 || code < ERR_LAST)
		return "ERR_?";
	return names[-code];
}
