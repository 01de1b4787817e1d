// The oneDNN primitives of one batch-64 training step of the reference CNN's convolutional part (conv+ReLU, BN, pool
// ×2, conv+ReLU, BN; then backward), in NHWC (mnistbook's layout) and in oneDNN's blocked layouts, interleaved.
// Thread CPU time per primitive, median of 30 (bench/c/README.md). Run with OMP_NUM_THREADS=1.
// Build (from the repo root): for f in Sources/CKernels/*.c; do clang -O2 -ISources/CKernels/include -c $f -o /tmp/$(basename $f).o; done
//   g++ -O2 -ISources/CKernels/include bench/c/train_step.cpp /tmp/*.c.o -ldnnl -o /tmp/train_step
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>
#include <algorithm>
#include "oneapi/dnnl/dnnl.hpp"
extern "C" {
#include "CKernels.h"
}
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
struct Job { std::string name; std::function<void()> f; std::vector<double> t; std::string impl; };

struct Chain {
  engine eng; stream s; std::vector<Job> jobs; bool blocked;
  std::vector<memory> keep;  // buffers the own kernels reach by pointer only
  memory mem(const memory::desc &d) { memory m(d, eng); memset(m.get_data_handle(), 0, d.get_size()); keep.push_back(m); return m; }
  std::vector<Job> bwdOwn;
  void add(const std::string &n, std::function<void()> f, const std::string &impl) { jobs.push_back({n, f, {}, impl}); }
  void add(const std::string &n, primitive p, std::unordered_map<int, memory> args, const std::string &impl) {
    jobs.push_back({n, [this, p, args]() mutable { p.execute(s, args); s.wait(); }, {}, impl});
  }
  Chain(bool blocked_) : eng(engine::kind::cpu, 0), s(eng), blocked(blocked_) {
    const int N = 64;
    struct L { const char *n; int ic, oc, hw; bool pool; } ls[] = {{"1", 1, 32, 28, true}, {"2", 32, 64, 14, true}, {"3", 64, 64, 7, false}};
    tag at = blocked ? tag::any : tag::nhwc;
    memory::desc in = memory::desc({N, 1, 28, 28}, dt::f32, tag::nhwc);
    std::vector<std::function<void()>> backward;  // built in forward order, added in reverse
    std::vector<std::vector<Job>> bwdJobs;
    for (auto &l : ls) {
      std::vector<Job> bj;
      memory::dims src{N, l.ic, l.hw, l.hw}, wei{l.oc, l.ic, 3, 3}, bia{l.oc}, dst{N, l.oc, l.hw, l.hw}, st{1, 1}, pd{1, 1};
      // One input channel: NHWC and NCHW are the same bytes; the blocked kernels want it called nchw.
      auto smd = l.ic == 1 && blocked ? memory::desc(src, dt::f32, tag::nchw) : in;
      auto wmd = memory::desc(wei, dt::f32, tag::any), bmd = memory::desc(bia, dt::f32, tag::x);
      auto dmd = memory::desc(dst, dt::f32, at);
      post_ops po; po.append_eltwise(1, algorithm::eltwise_relu, 0, 0); primitive_attr attr; attr.set_post_ops(po);
      auto fpd = convolution_forward::primitive_desc(convolution_forward::desc(prop_kind::forward_training,
          algorithm::convolution_direct, smd, wmd, bmd, dmd, st, pd, pd), attr, eng);
      auto ymd = fpd.dst_desc();
      auto S = mem(fpd.src_desc()), W = mem(fpd.weights_desc()), B = mem(bmd), Y = mem(ymd);
      auto userW = mem(memory::desc(wei, dt::f32, tag::hwio));
      add("reorder w fwd " + std::string(l.n), reorder(userW, W), {{DNNL_ARG_FROM, userW}, {DNNL_ARG_TO, W}}, "reorder");
      add("conv" + std::string(l.n) + " fwd", convolution_forward(fpd), {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, Y}}, fpd.impl_info_str());
      // batch norm on the conv's output layout
      auto flags = normalization_flags::use_scale | normalization_flags::use_shift;
      auto bnpd = batch_normalization_forward::primitive_desc(batch_normalization_forward::desc(prop_kind::forward_training, ymd, 1e-3f, flags), eng);
      auto sc = mem(memory::desc({l.oc}, dt::f32, tag::x)), sh = mem(memory::desc({l.oc}, dt::f32, tag::x)),
           mean = mem(memory::desc({l.oc}, dt::f32, tag::x)), var = mem(memory::desc({l.oc}, dt::f32, tag::x));
      auto Z = mem(ymd);
      add("bn" + std::string(l.n) + " fwd", batch_normalization_forward(bnpd), {{DNNL_ARG_SRC, Y}, {DNNL_ARG_DST, Z}, {DNNL_ARG_SCALE, sc}, {DNNL_ARG_SHIFT, sh}, {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var}}, bnpd.impl_info_str());
      if (!blocked) {  // candidate: own NHWC kernels for BN forward (one pass of sums in double) and backward with ReLU's mask
        long rows = (long)N * l.hw * l.hw, C = l.oc;
        float *x = (float *)Y.get_data_handle(), *z = (float *)Z.get_data_handle();
        for (long i = 0; i < rows * C; i++) x[i] = (float)((i * 7919) % 1000) / 500.f - 0.5f;
        add("own bn" + std::string(l.n) + " fwd", [=]() { std::vector<double> s(C), q(C); std::vector<float> sc(C), sh(C), k(x, x + C);
          mnistbook_bn_statistics(x, C, 0, rows, k.data(), s.data(), q.data());
          for (long c = 0; c < C; c++) { double m = s[c] / rows, v = q[c] / rows - m * m; sc[c] = 1 / sqrt(v + 1e-3); sh[c] = -m * sc[c]; }
          mnistbook_bn_affine(x, z, C, 0, rows, k.data(), sc.data(), sh.data()); }, "own");
        float *g = (float *)Z.get_data_handle();
        auto G = mem(ymd); float *dx = (float *)G.get_data_handle();
        bwdOwn.push_back({"own bn+relu" + std::string(l.n) + " bwd", [=]() { std::vector<double> s(C), q(C); std::vector<float> A(C), B(C), D(C, 0.f), m(C, 0.5f);
          mnistbook_bn_gradient_sums(g, x, C, 0, rows, m.data(), s.data(), q.data());
          for (long c = 0; c < C; c++) { A[c] = 1; B[c] = -(float)(q[c] / rows); D[c] = -(float)(s[c] / rows); }
          mnistbook_bn_gradient(g, x, dx, C, 0, rows, m.data(), A.data(), B.data(), D.data(), 1); }, {}, "own"});
      }
      memory::desc outmd = ymd; memory P, WS; pooling_forward::primitive_desc ppd;
      if (l.pool) {
        memory::dims pdst{N, l.oc, l.hw / 2, l.hw / 2}, k{2, 2}, ps{2, 2}, p0{0, 0};
        auto pdmd = memory::desc(pdst, dt::f32, blocked ? tag::any : tag::nhwc);
        ppd = pooling_forward::primitive_desc(pooling_forward::desc(prop_kind::forward_training, algorithm::pooling_max, ymd, pdmd, ps, k, p0, p0), eng);
        P = mem(ppd.dst_desc()); WS = mem(ppd.workspace_desc());
        add("pool" + std::string(l.n) + " fwd", pooling_forward(ppd), {{DNNL_ARG_SRC, Z}, {DNNL_ARG_DST, P}, {DNNL_ARG_WORKSPACE, WS}}, ppd.impl_info_str());
        outmd = ppd.dst_desc();
        if (!blocked) {
          long hw = l.hw, C = l.oc;
          float *z = (float *)Z.get_data_handle();
          auto P2 = mem(ppd.dst_desc()), DX = mem(ymd); float *p2 = (float *)P2.get_data_handle(), *dx = (float *)DX.get_data_handle();
          unsigned char *which = new unsigned char[N * hw * hw * C / 4];
          add("own pool" + std::string(l.n) + " fwd", [=]() { mnistbook_maxpool2_forward(z, p2, which, hw, hw, C, 0, N * hw / 2); }, "own");
          bwdOwn.push_back({"own pool" + std::string(l.n) + " bwd", [=]() { mnistbook_maxpool2_backward(p2, which, dx, hw, hw, C, 0, N * hw / 2); }, {}, "own"});
        }
      }
      // backward, in the order it runs: pool, bn, relu, conv weights, conv data
      if (l.pool) {
        auto bpd = pooling_backward::primitive_desc(pooling_backward::desc(algorithm::pooling_max, ymd, ppd.dst_desc(),
            {2, 2}, {2, 2}, {0, 0}, {0, 0}), eng, ppd);
        auto dP = mem(ppd.dst_desc()), dZ = mem(ymd);
        bj.push_back({"pool" + std::string(l.n) + " bwd", [this, p = pooling_backward(bpd), dP, WS, dZ]() mutable {
          p.execute(s, {{DNNL_ARG_DIFF_DST, dP}, {DNNL_ARG_WORKSPACE, WS}, {DNNL_ARG_DIFF_SRC, dZ}}); s.wait(); }, {}, bpd.impl_info_str()});
      }
      auto bnb = batch_normalization_backward::primitive_desc(batch_normalization_backward::desc(prop_kind::backward, ymd, ymd, 1e-3f, flags), eng, bnpd);
      auto dZ2 = mem(ymd), dY = mem(ymd), dsc = mem(memory::desc({l.oc}, dt::f32, tag::x)), dsh = mem(memory::desc({l.oc}, dt::f32, tag::x));
      bj.push_back({"bn" + std::string(l.n) + " bwd", [this, p = batch_normalization_backward(bnb), Y, dZ2, sc, sh, mean, var, dY, dsc, dsh]() mutable {
        p.execute(s, {{DNNL_ARG_SRC, Y}, {DNNL_ARG_DIFF_DST, dZ2}, {DNNL_ARG_SCALE, sc}, {DNNL_ARG_SHIFT, sh}, {DNNL_ARG_MEAN, mean},
                      {DNNL_ARG_VARIANCE, var}, {DNNL_ARG_DIFF_SRC, dY}, {DNNL_ARG_DIFF_SCALE, dsc}, {DNNL_ARG_DIFF_SHIFT, dsh}}); s.wait(); }, {}, bnb.impl_info_str()});
      auto efd = eltwise_forward::primitive_desc(eltwise_forward::desc(prop_kind::forward_training, algorithm::eltwise_relu_use_dst_for_bwd, ymd, 0, 0), eng);
      auto ebd = eltwise_backward::primitive_desc(eltwise_backward::desc(algorithm::eltwise_relu_use_dst_for_bwd, ymd, ymd, 0, 0), eng, efd);
      auto dC = mem(ymd);
      bj.push_back({"relu" + std::string(l.n) + " bwd", [this, p = eltwise_backward(ebd), Y, dY, dC]() mutable {
        p.execute(s, {{DNNL_ARG_DST, Y}, {DNNL_ARG_DIFF_DST, dY}, {DNNL_ARG_DIFF_SRC, dC}}); s.wait(); }, {}, ebd.impl_info_str()});
      auto wpd = convolution_backward_weights::primitive_desc(convolution_backward_weights::desc(algorithm::convolution_direct,
          smd, wmd, bmd, ymd, st, pd, pd), eng, fpd);
      auto dW = mem(wpd.diff_weights_desc()), dB = mem(bmd), userdW = mem(memory::desc(wei, dt::f32, tag::hwio));
      std::string wimpl = wpd.impl_info_str();
      bj.push_back({"conv" + std::string(l.n) + " bwd_w", [this, p = convolution_backward_weights(wpd), S, dC, dW, dB]() mutable {
        p.execute(s, {{DNNL_ARG_SRC, S}, {DNNL_ARG_DIFF_DST, dC}, {DNNL_ARG_DIFF_WEIGHTS, dW}, {DNNL_ARG_DIFF_BIAS, dB}}); s.wait(); }, {}, wimpl});
      bj.push_back({"reorder dw " + std::string(l.n), [this, p = reorder(dW, userdW), dW, userdW]() mutable {
        p.execute(s, {{DNNL_ARG_FROM, dW}, {DNNL_ARG_TO, userdW}}); s.wait(); }, {}, "reorder"});
      if (l.ic > 1) {
        auto dpd = convolution_backward_data::primitive_desc(convolution_backward_data::desc(algorithm::convolution_direct,
            smd, wmd, ymd, st, pd, pd), eng, fpd);
        auto W2 = mem(dpd.weights_desc()), dS = mem(dpd.diff_src_desc());
        bj.push_back({"reorder w bwd_d " + std::string(l.n), [this, p = reorder(userW, W2), userW, W2]() mutable {
          p.execute(s, {{DNNL_ARG_FROM, userW}, {DNNL_ARG_TO, W2}}); s.wait(); }, {}, "reorder"});
        bj.push_back({"conv" + std::string(l.n) + " bwd_d", [this, p = convolution_backward_data(dpd), dC, W2, dS]() mutable {
          p.execute(s, {{DNNL_ARG_DIFF_DST, dC}, {DNNL_ARG_WEIGHTS, W2}, {DNNL_ARG_DIFF_SRC, dS}}); s.wait(); }, {}, dpd.impl_info_str()});
      }
      bwdJobs.push_back(bj);
      in = outmd;
    }
    // The flatten before dense1 wants NHWC: a blocked BN3 output is reordered there and its gradient back.
    if (blocked) {
      auto nhwc = memory::desc({N, 64, 7, 7}, dt::f32, tag::nhwc);
      auto a = mem(in), b = mem(nhwc);
      add("reorder to nhwc", reorder(a, b), {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}}, "reorder");
      auto c = mem(nhwc), d = mem(in);
      add("reorder from nhwc", reorder(c, d), {{DNNL_ARG_FROM, c}, {DNNL_ARG_TO, d}}, "reorder");
    }
    for (auto it = bwdJobs.rbegin(); it != bwdJobs.rend(); ++it) for (auto &j : *it) jobs.push_back(j);
    for (auto &j : bwdOwn) jobs.push_back(j);
  }
};

int main(int argc, char **argv) {
  Chain a(false), b(true);
  for (int w = 0; w < 5; w++) for (Chain *c : {&a, &b}) for (auto &j : c->jobs) { if (getenv("TRACE")) fprintf(stderr, "%s\n", j.name.c_str()); j.f(); }
  for (int rep = 0; rep < 30; rep++) for (Chain *c : {&a, &b}) for (auto &j : c->jobs) { double t = now(); j.f(); j.t.push_back(now() - t); }
  for (Chain *c : {&a, &b}) {
    double total = 0; std::map<std::string, double> kind;
    printf("== %s\n", c->blocked ? "blocked (oneDNN's choice)" : "nhwc");
    for (auto &j : c->jobs) { std::sort(j.t.begin(), j.t.end()); double m = j.t[j.t.size() / 2]; total += m;
      printf("  %-20s %7.3f ms  %s\n", j.name.c_str(), m * 1e3, j.impl.c_str());
      kind[j.name.substr(0, j.name.find_first_of(" 0123456789"))] += m; }
    for (auto &k : kind) printf("  sum %-10s %7.3f ms\n", k.first.c_str(), k.second * 1e3);
    printf("  total %.3f ms\n", total * 1e3);
  }
}
