/* libcurl wrappers live in include/CContonCurl.h as static inline functions. */
