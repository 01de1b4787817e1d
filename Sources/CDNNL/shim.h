#include <oneapi/dnnl/dnnl.h>
// oneDNN runs on GNU OpenMP; its thread count is set through these (libgomp).
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
// libgomp's entry for `#pragma omp parallel`: runs fn(data) on the team, so mnistbook's own loops
// share oneDNN's threads instead of starting a second pool that would compete for the cores.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
// mallopt, to keep freed tensor buffers in the heap (see Threads.configure).
#include <malloc.h>
