/*
 * big_array.h - allocation of arrays that large graphs read and write at
 * random: the topology, the kernel's per-node and per-channel arrays, the
 * queue's chunks, the oracles' scratch arrays.
 *
 * On 4 kB pages nearly every random access to an array of tens of
 * megabytes misses the TLB as well as the caches, and filling the array
 * takes a page fault every 4 kB.  Arrays of a few megabytes or more are
 * therefore aligned to 2 MB and offered to the kernel for transparent huge
 * pages; smaller ones, and systems without the hint, get plain malloc.
 * Either way the result is released with free(), except disco__big_zeroed's
 * and disco__big_reserve's, which have release functions of their own.
 */
#ifndef DISCO_BIG_ARRAY_H
#define DISCO_BIG_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Arrays of at least this many bytes go on huge pages, 2 MB-aligned. */
#define DISCO__BIG_ARRAY ((size_t)4 << 20)

/* `bytes` bytes (at least 1), zeroed when `zero`, or NULL.  A big array
 * is also handed to the prefault helper (prefault.h), which faults it in
 * from its end on another core while the caller writes it from its
 * start. */
void *disco__big_alloc(size_t bytes, bool zero);

/* `bytes` zeroed bytes (at least 1), or NULL.  From DISCO__BIG_ARRAY bytes
 * on (where the system can map memory), a mapping of its own: fresh pages,
 * zero already, 2 MB-aligned on huge pages and handed to the prefault
 * helper like disco__big_alloc's arrays, but never written before their
 * first use, so that the main thread does not zero an array from its
 * start while the helper faults it in from its end.  Smaller arrays, or
 * all where the system cannot map, come from aligned_alloc, 64-byte
 * aligned either way.  Release with disco__big_release_zeroed and the same
 * `bytes`, which tells the two apart, never with free. */
void *disco__big_zeroed(size_t bytes);
void disco__big_release_zeroed(void *array, size_t bytes);

/* For a log written in order up to a known cap: `bytes` of zeroed address
 * space, on huge pages, of which only the pages written take memory.  It
 * never moves, so it needs no realloc and no copy as it fills (a 100 MB
 * log grown by doubling faulted every 4 kB page of every copy).  NULL when
 * the system will not map it; release with disco__big_unreserve, not
 * free. */
void *disco__big_reserve(size_t bytes);
void disco__big_unreserve(void *array, size_t bytes);

#endif /* DISCO_BIG_ARRAY_H */
