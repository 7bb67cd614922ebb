#version 450
// dst[dstOffset + i] = src[srcOffset + i]; f32 to f32, to f16 with DST_F16 (into the KV cache),
// or from f16 with SRC_F16 (out of it, when the cache's cells move).

#extension GL_EXT_shader_16bit_storage : require

layout(constant_id = 0) const uint WG_SIZE = 256;
layout(local_size_x_id = 0) in;

#if defined(SRC_F16)
layout(binding = 0, std430) readonly buffer Src { float16_t data_src[]; };
#else
layout(binding = 0, std430) readonly buffer Src { float data_src[]; };
#endif
#if defined(DST_F16)
layout(binding = 1, std430) buffer Dst { float16_t data_dst[]; };
#else
layout(binding = 1, std430) buffer Dst { float data_dst[]; };
#endif

// Mirrored by gpu::CopyPush.
layout(push_constant) uniform Push {
    uint n;
    uint srcOffset;
    uint dstOffset;
    uint groupsX;
} p;

void main()
{
    const uint i = (gl_WorkGroupID.y * p.groupsX + gl_WorkGroupID.x) * WG_SIZE + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
#if defined(DST_F16)
    data_dst[p.dstOffset + i] = float16_t(data_src[p.srcOffset + i]);
#else
    data_dst[p.dstOffset + i] = float(data_src[p.srcOffset + i]);
#endif
}
