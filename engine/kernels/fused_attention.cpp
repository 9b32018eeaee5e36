// Module 15 — Kernels: one head of attention in one pass over tiles of keys (flash attention's online softmax),
// never holding the [Tq, Tk] matrix of scores that fused_attention_ref (and module 13's attention) materialises.
//
// For a tile of queries, each tile of keys gives a small block of scores S = scale * q k^T (+ mask). A softmax
// needs the row's maximum and sum over ALL keys, which are not known yet; the online softmax keeps, per query, the
// maximum m and the sum l of exp(s - m) seen so far and the weighted sum acc of the values so far. When a new tile
// raises the maximum from m to m', everything accumulated so far was scaled by exp(-m) instead of exp(-m'): it is
// multiplied by exp(m - m') before the tile's own exp(s - m') are added. At the end o = acc / l.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention_softmax.h"
#include "error.h"
#include "fused.h"
#include "gemm.h"

namespace tt {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

Shape shape_of(const Tensor& t) { return t.defined() ? t.shape() : Shape{}; }

void check_attention(const char* who, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask) {
    TT_CHECK(q.defined() && q.dim() == 2, who << ": q must be [Tq, D], got " << shape_of(q));
    TT_CHECK(k.defined() && k.dim() == 2 && k.shape(1) == q.shape(1),
             who << ": k must be [Tk, D] with D = " << q.shape(1) << " (q is " << q.shape() << "), got "
                 << shape_of(k));
    TT_CHECK(v.defined() && v.dim() == 2 && v.shape(0) == k.shape(0),
             who << ": v must be [Tk, Dv] with Tk = " << k.shape(0) << " (k is " << k.shape() << "), got "
                 << shape_of(v));
    TT_CHECK(!mask.defined() || mask.shape() == Shape({q.shape(0), k.shape(0)}),
             who << ": mask must be [Tq, Tk] = [" << q.shape(0) << ", " << k.shape(0) << "], got " << mask.shape());
}

}  // namespace

Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, float scale, const Tensor& mask,
                       bool is_causal) {
    check_attention("fused_attention", q, k, v, mask);
    const Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    const Tensor mc = mask.defined() ? mask.contiguous() : Tensor();
    const int Tq = static_cast<int>(q.shape(0)), Tk = static_cast<int>(k.shape(0)), D = static_cast<int>(q.shape(1)),
              Dv = static_cast<int>(v.shape(1));
    constexpr int Br = kAttentionQueryTile, Bc = kAttentionKeyTile;
    Tensor o({Tq, Dv});  // zeros: each tile of it is that tile's accumulator acc
    std::vector<float> s(static_cast<size_t>(Br) * Bc), m(Br), l(Br);
    for (int qb = 0; qb < Tq; qb += Br) {
        const int rows = std::min(Br, Tq - qb);
        float* acc = o.data() + static_cast<size_t>(qb) * Dv;
        std::fill(m.begin(), m.end(), kNegInf);
        std::fill(l.begin(), l.end(), 0.0f);
        // With the causal mask the tile's last query sees keys up to its own position: later tiles are skipped.
        const int key_end = is_causal ? std::min(Tk, qb + rows) : Tk;
        for (int kb = 0; kb < key_end; kb += Bc) {
            const int cols = std::min(Bc, key_end - kb);
            sgemm(false, true, rows, cols, D, scale, qc.data() + static_cast<size_t>(qb) * D, std::max(D, 1),
                  kc.data() + static_cast<size_t>(kb) * D, std::max(D, 1), 0.0f, s.data(), Bc);
            if (mc.defined())
                for (int r = 0; r < rows; ++r)
                    for (int j = 0; j < cols; ++j)
                        s[r * Bc + j] += mc.data()[static_cast<size_t>(qb + r) * Tk + kb + j];
            // BEGIN SOLUTION per query row r of the tile (query qb + r): causal: keys kb + j > qb + r get -inf; mt = max(m[r], the row's scores); if mt is -inf (all masked so far) the row's weights are 0; else corr = exp(m[r] - mt), p = exp(s - mt) in place, l[r] = l[r] * corr + sum p, acc's row *= corr, m[r] = mt
            for (int r = 0; r < rows; ++r) {
                float* srow = s.data() + static_cast<size_t>(r) * Bc;
                if (is_causal)
                    for (int j = std::max(0, qb + r + 1 - kb); j < cols; ++j) srow[j] = kNegInf;
                float mt = m[r];
                for (int j = 0; j < cols; ++j) mt = std::max(mt, srow[j]);
                if (mt == kNegInf) {
                    std::fill(srow, srow + cols, 0.0f);
                    continue;
                }
                const float corr = std::exp(m[r] - mt);  // 0 on the row's first live tile (m = -inf)
                float sum = 0.0f;
                for (int j = 0; j < cols; ++j) sum += (srow[j] = std::exp(srow[j] - mt));
                l[r] = l[r] * corr + sum;
                m[r] = mt;
                float* a = acc + static_cast<size_t>(r) * Dv;
                for (int d = 0; d < Dv; ++d) a[d] *= corr;
            }
            // END SOLUTION
            // acc += P V for this tile of keys (beta = 1: onto what the earlier tiles left)
            sgemm(false, false, rows, Dv, cols, 1.0f, s.data(), Bc, vc.data() + static_cast<size_t>(kb) * Dv,
                  std::max(Dv, 1), 1.0f, acc, std::max(Dv, 1));
        }
        // BEGIN SOLUTION divide each of the tile's rows of acc by its l[r]; a row with l[r] = 0 (every key masked) stays 0
        for (int r = 0; r < rows; ++r) {
            const float inv = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
            float* a = acc + static_cast<size_t>(r) * Dv;
            for (int d = 0; d < Dv; ++d) a[d] *= inv;
        }
        // END SOLUTION
    }
    return o;
}

Tensor fused_attention_ref(const Tensor& q, const Tensor& k, const Tensor& v, float scale, const Tensor& mask,
                           bool is_causal) {
    check_attention("fused_attention_ref", q, k, v, mask);
    const Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    const int Tq = static_cast<int>(q.shape(0)), Tk = static_cast<int>(k.shape(0)), D = static_cast<int>(q.shape(1)),
              Dv = static_cast<int>(v.shape(1));
    Tensor S({Tq, Tk});  // the [Tq, Tk] scores, written once and read by the softmax
    sgemm(false, true, Tq, Tk, D, 1.0f, qc.data(), std::max(D, 1), kc.data(), std::max(D, 1), 0.0f, S.data(),
          std::max(Tk, 1));
    const Tensor P = attention_softmax_forward(S, scale, mask, is_causal);  // and the [Tq, Tk] weights
    Tensor o({Tq, Dv});
    sgemm(false, false, Tq, Dv, Tk, 1.0f, P.data(), std::max(Tk, 1), vc.data(), std::max(Dv, 1), 0.0f, o.data(),
          std::max(Dv, 1));
    return o;
}

}  // namespace tt
