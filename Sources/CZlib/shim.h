// Exposes the system zlib to Swift; used for GZIP in the Bitstring Status List.
#include <zlib.h>
