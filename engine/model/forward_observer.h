#pragma once
// An optional observer of EncoderModel::forward, for profilers and drift per layer: called at the boundaries of each
// encoder layer and of its self-attention call, on the calling thread, while the work is queued (on CUDA the calls come
// before the device has run it: an observer records events on the stream rather than reading a clock).
#include <ATen/core/Tensor.h>

namespace spw {

class ForwardObserver {
public:
    virtual ~ForwardObserver() = default;
    virtual void layerStarted(int layer) = 0;
    virtual void attentionFinished(int layer) = 0; // the layer's self-attention call returned
    virtual void layerFinished(int layer) = 0;
    // The hidden state the layer produced ([batch, length, hidden]), just before layerFinished: for drift per layer.
    virtual void layerOutput(int /*layer*/, const at::Tensor& /*hidden*/) { }
};

} // namespace spw
