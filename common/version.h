/* version.h - the tool version written into every provenance record. */
#ifndef CS_VERSION_H
#define CS_VERSION_H

#define CS_VERSION "0.1.0"

/* The build's git description, set by the Makefile (-DCS_GIT_DESC=...). */
#ifndef CS_GIT_DESC
#define CS_GIT_DESC "unknown"
#endif

#endif
