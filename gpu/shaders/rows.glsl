// Workgroup-wide reductions for the one-workgroup-per-row ops (norm, softmax). WG_SIZE must be
// a power of two and declared before this include.

shared float reduceScratch[WG_SIZE];

float workgroupSum(float v)
{
    const uint tid = gl_LocalInvocationID.x;
    reduceScratch[tid] = v;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
        if (tid < s)
            reduceScratch[tid] += reduceScratch[tid + s];
        barrier();
    }
    const float total = reduceScratch[0];
    barrier(); // the scratch may be reused right after
    return total;
}

float workgroupMax(float v)
{
    const uint tid = gl_LocalInvocationID.x;
    reduceScratch[tid] = v;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
        if (tid < s)
            reduceScratch[tid] = max(reduceScratch[tid], reduceScratch[tid + s]);
        barrier();
    }
    const float total = reduceScratch[0];
    barrier();
    return total;
}
