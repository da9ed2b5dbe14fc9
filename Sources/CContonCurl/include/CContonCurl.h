#ifndef CCONTON_CURL_H
#define CCONTON_CURL_H
#include <curl/curl.h>
#endif
