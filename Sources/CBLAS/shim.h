#include <cblas.h>
// OpenBLAS extension: its pthread pool size, set so it never competes with oneDNN OpenMP.
void openblas_set_num_threads(int num_threads);
