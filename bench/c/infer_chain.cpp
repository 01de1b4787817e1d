// Inference chain of the reference CNN (conv1 32, pool, conv2 64, pool, conv3 64, dense 128, dense 10), one thread,
// batch N, layouts nhwc or any, conv algorithm direct/wino/auto. Prints per-image microseconds and per-primitive.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <algorithm>
#include "oneapi/dnnl/dnnl.hpp"
using namespace dnnl;
using tag = memory::format_tag; using dt = memory::data_type;
// This thread's CPU time: run with OMP_NUM_THREADS=1, and other processes taking the core do not count.
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  int N = argc > 1 ? atoi(argv[1]) : 1;
  bool blocked = argc > 2 && !strcmp(argv[2], "any");
  std::string alg = argc > 3 ? argv[3] : "direct";
  engine eng(engine::kind::cpu, 0); stream s(eng);
  tag act = blocked ? tag::any : tag::nhwc;
  struct Step { primitive p; std::unordered_map<int, memory> args; std::string name, impl; };
  std::vector<Step> steps;
  memory::desc cur = memory::desc({N, 1, 28, 28}, dt::f32, tag::nhwc);
  memory curm(cur, eng);
  memory input = curm;
  auto conv = [&](int oc, int hw, const char *n) {
    int ic = cur.dims()[1];
    auto wmd = memory::desc({oc, ic, 3, 3}, dt::f32, tag::any);
    auto dmd = memory::desc({N, oc, hw, hw}, dt::f32, act);
    auto smd = blocked ? memory::desc({N, ic, hw, hw}, dt::f32, tag::any) : cur;
    algorithm a = alg == "wino" && ic >= 16 ? algorithm::convolution_winograd : alg == "auto" ? algorithm::convolution_auto : algorithm::convolution_direct;
    auto d = convolution_forward::desc(prop_kind::forward_inference, a, smd, wmd, memory::desc({oc}, dt::f32, tag::x), dmd, {1, 1}, {1, 1}, {1, 1});
    post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); primitive_attr at; at.set_post_ops(po);
    auto pd = convolution_forward::primitive_desc(d, at, eng);
    if (!(pd.src_desc() == cur)) {  // reorder input
      memory r(pd.src_desc(), eng); steps.push_back({reorder(curm, r), {{DNNL_ARG_FROM, curm}, {DNNL_ARG_TO, r}}, "reorder", "reorder"}); curm = r; }
    memory W(pd.weights_desc(), eng), B(pd.bias_desc(), eng), D(pd.dst_desc(), eng);
    memset(W.get_data_handle(), 0, pd.weights_desc().get_size());
    steps.push_back({convolution_forward(pd), {{DNNL_ARG_SRC, curm}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}}, n, pd.impl_info_str()});
    cur = pd.dst_desc(); curm = D;
  };
  auto pool = [&](int hw) {
    int c = cur.dims()[1];
    auto dmd = memory::desc({N, c, hw, hw}, dt::f32, blocked ? tag::any : tag::nhwc);
    auto d = pooling_forward::desc(prop_kind::forward_inference, algorithm::pooling_max, cur, dmd, {2, 2}, {2, 2}, {0, 0}, {0, 0});
    auto pd = pooling_forward::primitive_desc(d, eng);
    memory D(pd.dst_desc(), eng);
    steps.push_back({pooling_forward(pd), {{DNNL_ARG_SRC, curm}, {DNNL_ARG_DST, D}}, "pool", pd.impl_info_str()});
    cur = pd.dst_desc(); curm = D;
  };
  auto dense = [&](int units, bool relu, const char *n) {
    auto wmd = memory::desc(cur.dims().size() == 4 ? memory::dims{units, cur.dims()[1], cur.dims()[2], cur.dims()[3]} : memory::dims{units, cur.dims()[1]}, dt::f32, tag::any);
    auto d = inner_product_forward::desc(prop_kind::forward_inference, cur, wmd, memory::desc({units}, dt::f32, tag::x), memory::desc({N, units}, dt::f32, tag::nc));
    primitive_attr at; if (relu) { post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); at.set_post_ops(po); }
    auto pd = inner_product_forward::primitive_desc(d, at, eng);
    memory W(pd.weights_desc(), eng), B(pd.bias_desc(), eng), D(pd.dst_desc(), eng);
    memset(W.get_data_handle(), 0, pd.weights_desc().get_size());
    steps.push_back({inner_product_forward(pd), {{DNNL_ARG_SRC, curm}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}}, n, pd.impl_info_str()});
    cur = pd.dst_desc(); curm = D;
  };
  conv(32, 28, "conv1"); pool(14); conv(64, 14, "conv2"); pool(7); conv(64, 7, "conv3"); dense(128, true, "dense1"); dense(10, false, "output");
  memset(input.get_data_handle(), 0, N * 784 * 4);
  std::vector<std::vector<double>> per(steps.size());
  std::vector<double> tot;
  for (int rep = 0; rep < 400; rep++) {
    double t0 = now();
    for (size_t i = 0; i < steps.size(); i++) {
      double a = now(); steps[i].p.execute(s, steps[i].args); s.wait(); per[i].push_back(now() - a);
    }
    tot.push_back(now() - t0);
  }
  auto med = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; };
  printf("N=%d layouts=%s alg=%s: %.1f us per image (%.3f ms per batch)\n", N, blocked ? "any" : "nhwc", alg.c_str(), med(tot) / N * 1e6, med(tot) * 1e3);
  for (size_t i = 0; i < steps.size(); i++) printf("  %-8s %8.1f us/img  %s\n", steps[i].name.c_str(), med(per[i]) / N * 1e6, steps[i].impl.c_str());
}
