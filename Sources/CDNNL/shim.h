#include <oneapi/dnnl/dnnl.h>
// oneDNN runs on GNU OpenMP; its thread count is set through these (libgomp).
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
