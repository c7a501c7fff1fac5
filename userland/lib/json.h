/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: commas and nesting are tracked for the
 * caller, strings are escaped (and made valid UTF-8). Writes to one FILE,
 * stdout for pflctl -j. Inside an object, each value is preceded by
 * json_key(), or use the json_kv_*() shorthands:
 *
 *	json_init(&j, stdout);
 *	json_obj_begin(&j);
 *	json_kv_bool(&j, "enabled", true);
 *	json_key(&j, "list");
 *	json_arr_begin(&j);
 *	json_u64(&j, 1);
 *	json_arr_end(&j);
 *	json_obj_end(&j);
 *	json_end(&j);		{"enabled":true,"list":[1]} and a newline
 */
#ifndef _PFL_JSON_H
#define _PFL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no element yet at this depth */
	bool key_pending;		/* a key was written, value follows */
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Ends the document with a newline. */
void json_end(struct json *j);

/* key + value shorthands */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif /* _PFL_JSON_H */
