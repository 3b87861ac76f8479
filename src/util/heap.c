/*
 * glibc hands the top of the heap back to the kernel whenever more than
 * 128 KiB is free there, and moves its mmap threshold as blocks come and
 * go.  A commit builds and frees a metadata tree of tens of KiB in
 * thousands of pieces, so every commit shrank the heap (brk: unmap, a
 * TLB flush) and grew it again (a page fault per page touched): a
 * profile of a commit storm found 14 % of the workers' time in the
 * shrink and 5 % more in the faults after it.  Fixed bounds stop that:
 * a worker keeps up to TRIM_AT free at its heap's top, grows it
 * TOP_PAD at a time, and blocks over MMAP_AT still get their own
 * mapping, returned when freed.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "util/heap.h"

#define TRIM_AT		(32 * 1024 * 1024)
#define TOP_PAD		(4 * 1024 * 1024)
#define MMAP_AT		(4 * 1024 * 1024)

void
pgl_heap_tune(void)
{
	const char	*t = getenv("GLIBC_TUNABLES");

	if (t != NULL && strstr(t, "glibc.malloc.") != NULL)
		return;
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_AT);
	(void)mallopt(M_TRIM_THRESHOLD, TRIM_AT);
	(void)mallopt(M_TOP_PAD, TOP_PAD);
}
