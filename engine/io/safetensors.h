#pragma once
// Reading and writing safetensors files (huggingface/safetensors), validated as the reference implementation's
// SafeTensors::deserialize / Metadata::validate do. A file is never trusted: every violation throws spw::Error
// naming the file (and the tensor when there is one).
//
// FORMAT
//   bytes [0, 8)        N: unsigned 64-bit little-endian, the header's length in bytes; N <= 100,000,000
//   bytes [8, 8 + N)    the header: UTF-8 JSON object (writers pad it with trailing spaces so that the data
//                       starts on an 8-byte boundary). 8 + N <= file size.
//       "__metadata__": optional object of string -> string (e.g. {"format": "pt"})
//       "<tensor name>": {"dtype": DTYPE, "shape": [d0, d1, ...], "data_offsets": [begin, end]}
//                        (other keys inside a tensor entry are ignored, as the reference's serde does)
//   bytes [8 + N, end)  the data buffer. Offsets are relative to its start. Sorted by offset, the tensors must
//                       tile it exactly: the first begins at 0, each begins where the previous ends, end >= begin,
//                       end - begin == product(shape) * dtype size (overflow checked), and the last end is the
//                       buffer's size (no trailing bytes). Data is row-major (C order), little-endian.
//   DTYPE: BOOL U8 I8 F8_E5M2 F8_E4M3 F8_E8M0 I16 U16 F16 BF16 I32 U32 F32 I64 U64 F64 C64. All of them pass
//   validation; tensors of dtypes F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL materialise as at::Tensor of that
//   type, the others are an error when read. (The reference's sub-byte F4/F6 types are rejected as unsupported.)
#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace spw {

struct SafetensorsTensorInfo {
    std::string name;
    std::string dtype; // as spelled in the file, e.g. "F32"
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0; // byte offsets in the data buffer
    std::uint64_t end = 0;
};

// The validated header of a safetensors file: tensors in data-offset order, and the metadata map.
struct SafetensorsHeader {
    std::vector<SafetensorsTensorInfo> tensors;
    std::map<std::string, std::string> metadata;
    std::uint64_t headerLength = 0; // N
};

// Validates a whole file's bytes (header and sizes) as the reference does. `fileName` is used in messages.
SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::uint64_t size, const std::string& fileName);

// The at::ScalarType a safetensors dtype name materialises as; throws spw::Error for names the engine cannot hold.
at::ScalarType scalarTypeFromSafetensors(const std::string& dtype, const std::string& context);
// The safetensors spelling of a scalar type; throws spw::Error for types safetensors cannot hold.
std::string safetensorsDtypeName(at::ScalarType type);

// A memory-mapped, validated safetensors file. Tensors are copied out of the mapping on request.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return m_path; }
    const SafetensorsHeader& header() const { return m_header; }
    const SafetensorsTensorInfo* find(const std::string& name) const;
    // A CPU tensor holding a copy of the named tensor's data, in its own dtype.
    at::Tensor tensor(const std::string& name) const;

private:
    std::string m_path;
    const std::uint8_t* m_data = nullptr;
    std::uint64_t m_size = 0;
    SafetensorsHeader m_header;
    std::map<std::string, std::size_t> m_index;
};

// Reads every tensor of a file (CPU, their own dtypes).
std::map<std::string, at::Tensor> loadSafetensors(const std::string& path);

// Writes `tensors` (CPU or not; contiguous copies are taken) in sorted name order with their dtypes, the header
// padded with spaces to an 8-byte boundary and `metadata` as "__metadata__" ({"format": "pt"} by default), atomically
// (engine/common/durable_files.h). Throws spw::Error naming the file or tensor on failure (spw::EnvironmentError when
// the write itself fails).
void saveSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
    const std::map<std::string, std::string>& metadata = { { "format", "pt" } });

} // namespace spw
