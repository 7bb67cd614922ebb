#pragma once
// Small helpers the llama.cpp conformance suites (CPU and Vulkan) share: reading the fixture
// JSON arrays and comparing logit vectors.

#include <QJsonArray>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace testing {

inline std::vector<float> jsonFloats(const QJsonValue& v)
{
    std::vector<float> out;
    for (const QJsonValue& x : v.toArray())
        out.push_back(static_cast<float>(x.toDouble()));
    return out;
}

inline std::vector<int32_t> jsonInts(const QJsonValue& v)
{
    std::vector<int32_t> out;
    for (const QJsonValue& x : v.toArray())
        out.push_back(x.toInt());
    return out;
}

inline float maxAbs(const std::vector<float>& a)
{
    float m = 0.0f;
    for (float x : a)
        m = std::max(m, std::fabs(x));
    return m;
}

inline float maxDiff(const float* a, const float* b, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; ++i)
        m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

// The first maximum: the lowest id wins ties, as in llama.cpp's greedy runs.
inline int argmax(const float* a, size_t n)
{
    return static_cast<int>(std::max_element(a, a + n) - a);
}

// top1 - top2 of a logit vector.
inline float margin(const std::vector<float>& a)
{
    std::vector<float> s = a;
    std::partial_sort(s.begin(), s.begin() + 2, s.end(), std::greater<float>());
    return s[0] - s[1];
}

} // namespace testing
