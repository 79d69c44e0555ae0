#ifndef VIGIE_CCURL_SHIM_H
#define VIGIE_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt / curl_multi_setopt are variadic, which Swift cannot call:
// one typed wrapper per argument kind.
static inline CURLcode vigie_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vigie_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vigie_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vigie_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode vigie_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*vigie_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode vigie_easy_setopt_write_callback(CURL *h, CURLoption o, vigie_write_callback cb) { return curl_easy_setopt(h, o, cb); }
// CURLOPT_READFUNCTION (uploads: the message an SMTP transaction sends after DATA).
typedef size_t (*vigie_read_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
static inline CURLcode vigie_easy_setopt_read_callback(CURL *h, vigie_read_callback cb) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }
// CURLOPT_DEBUGFUNCTION: libcurl's verbose text goes to this callback instead of stderr.
typedef int (*vigie_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);
static inline CURLcode vigie_easy_setopt_debug_callback(CURL *h, vigie_debug_callback cb) { return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, cb); }
static inline CURLMcode vigie_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLcode vigie_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode vigie_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode vigie_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode vigie_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

// CURL_GLOBAL_ALL is a macro Swift does not import.
static inline CURLcode vigie_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }

#endif
