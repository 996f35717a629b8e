// Fuzzes the safetensors reader (engine/io/safetensors.h): the header parser on the raw bytes, then, for a file it
// accepts, the memory-mapped reader materialising every tensor, and a write/read round trip that must give back
// the same names, dtypes, shapes, bytes and metadata.
#include "fuzz_support.h"

#include "io/safetensors.h"

#include <cstring>

namespace {

using TensorMap = std::map<std::string, at::Tensor>;

void expectSameTensors(const TensorMap& read, const TensorMap& reread)
{
    if (read.size() != reread.size())
        spw::fuzz::finding("round trip changed the number of tensors");
    for (const auto& [name, tensor] : read) {
        auto other = reread.find(name);
        if (other == reread.end())
            spw::fuzz::finding("round trip lost tensor '" + name + "'");
        const at::Tensor& again = other->second;
        if (again.scalar_type() != tensor.scalar_type() || again.sizes() != tensor.sizes())
            spw::fuzz::finding("round trip changed the dtype or shape of tensor '" + name + "'");
        const auto bytes = std::size_t(tensor.numel()) * tensor.element_size();
        if (bytes > 0 && std::memcmp(tensor.data_ptr(), again.data_ptr(), bytes) != 0)
            spw::fuzz::finding("round trip changed the data of tensor '" + name + "'");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string& folder = spw::fuzz::scratchFolder();
    spw::fuzz::expectEngineErrorsOnly([&] {
        const spw::SafetensorsHeader header = spw::parseSafetensorsHeader(data, size, "fuzz.safetensors");
        const std::string path = folder + "/input.safetensors";
        spw::fuzz::writeFile(path, data, size);
        const TensorMap tensors = spw::loadSafetensors(path);
        const std::string copy = folder + "/copy.safetensors";
        spw::saveSafetensors(copy, tensors, header.metadata);
        expectSameTensors(tensors, spw::loadSafetensors(copy));
        if (spw::SafetensorsFile(copy).header().metadata != header.metadata)
            spw::fuzz::finding("round trip changed __metadata__");
    });
    return 0;
}
