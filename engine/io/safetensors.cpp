#include "io/safetensors.h"

#include "common/durable_files.h"
#include "common/error.h"
#include "common/file_reading.h"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>
#include <tuple>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// Tensor data is copied byte for byte: safetensors is little-endian, and so must the host be.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

namespace spw {
namespace {

constexpr std::uint64_t kMaxHeaderSize = 100'000'000; // the reference's MAX_HEADER_SIZE

struct DtypeEntry {
    const char* name;
    int bits;
    std::optional<at::ScalarType> scalarType;
};

const std::vector<DtypeEntry>& dtypeTable()
{
    static const std::vector<DtypeEntry> table = {
        { "BOOL", 8, at::kBool },
        { "U8", 8, at::kByte },
        { "I8", 8, at::kChar },
        { "F8_E5M2", 8, {} },
        { "F8_E4M3", 8, {} },
        { "F8_E8M0", 8, {} },
        { "I16", 16, at::kShort },
        { "U16", 16, {} },
        { "F16", 16, at::kHalf },
        { "BF16", 16, at::kBFloat16 },
        { "I32", 32, at::kInt },
        { "U32", 32, {} },
        { "F32", 32, at::kFloat },
        { "I64", 64, at::kLong },
        { "U64", 64, {} },
        { "F64", 64, at::kDouble },
        { "C64", 64, {} },
    };
    return table;
}

const DtypeEntry* findDtype(const std::string& name)
{
    for (const auto& entry : dtypeTable())
        if (name == entry.name)
            return &entry;
    return nullptr;
}

std::uint64_t readUnsigned(
    const nlohmann::json& value, const std::string& fileName, const std::string& tensor, const char* field)
{
    if (!value.is_number_unsigned())
        fail("{}: tensor '{}': {} must hold non-negative integers", fileName, tensor, field);
    return value.get<std::uint64_t>();
}

SafetensorsTensorInfo parseTensorEntry(
    const std::string& name, const nlohmann::json& entry, const std::string& fileName)
{
    if (!entry.is_object())
        fail("{}: tensor '{}': entry is not a JSON object", fileName, name);
    SafetensorsTensorInfo info;
    info.name = name;
    auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string())
        fail("{}: tensor '{}': missing or non-string \"dtype\"", fileName, name);
    info.dtype = dtype->get<std::string>();
    if (!findDtype(info.dtype))
        fail("{}: tensor '{}': unknown dtype '{}'", fileName, name, info.dtype);
    auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array())
        fail("{}: tensor '{}': missing or non-array \"shape\"", fileName, name);
    for (const auto& dim : *shape) {
        std::uint64_t d = readUnsigned(dim, fileName, name, "\"shape\"");
        if (d > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            fail("{}: tensor '{}': dimension {} is too large", fileName, name, d);
        info.shape.push_back(std::int64_t(d));
    }
    auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2)
        fail("{}: tensor '{}': \"data_offsets\" must be [begin, end]", fileName, name);
    info.begin = readUnsigned((*offsets)[0], fileName, name, "\"data_offsets\"");
    info.end = readUnsigned((*offsets)[1], fileName, name, "\"data_offsets\"");
    return info;
}

bool multiplyChecked(std::uint64_t a, std::uint64_t b, std::uint64_t& result)
{
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        return false;
    result = a * b;
    return true;
}

// Metadata::validate: offsets tile [0, end) in order, each tensor's byte size matches its shape and dtype.
std::uint64_t validateOffsets(const std::vector<SafetensorsTensorInfo>& tensors, const std::string& fileName)
{
    std::uint64_t start = 0;
    for (const auto& info : tensors) {
        if (info.begin != start || info.end < info.begin) {
            if (info.begin > start)
                fail("{}: tensor '{}': data_offsets [{}, {}] leave a gap after byte {}", fileName, info.name,
                    info.begin, info.end, start);
            fail("{}: tensor '{}': data_offsets [{}, {}] overlap or are reversed (expected to begin at {})", fileName,
                info.name, info.begin, info.end, start);
        }
        start = info.end;
        std::uint64_t elements = 1;
        for (auto d : info.shape)
            if (!multiplyChecked(elements, std::uint64_t(d), elements))
                fail("{}: tensor '{}': shape overflows", fileName, info.name);
        std::uint64_t bits = 0;
        if (!multiplyChecked(elements, std::uint64_t(findDtype(info.dtype)->bits), bits))
            fail("{}: tensor '{}': shape overflows", fileName, info.name);
        if (info.end - info.begin != bits / 8)
            fail("{}: tensor '{}': {} bytes of data for shape [{}] of {} ({} bytes expected)", fileName, info.name,
                info.end - info.begin, fmt::join(info.shape, ", "), info.dtype, bits / 8);
    }
    return start;
}

} // namespace

SafetensorsHeader parseSafetensorsHeader(const std::uint8_t* bytes, std::uint64_t size, const std::string& fileName)
{
    if (size < 8)
        fail("{}: file too small for a safetensors header ({} bytes)", fileName, size);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | bytes[i];
    if (n > kMaxHeaderSize)
        fail("{}: header length {} exceeds the limit of {} bytes", fileName, n, kMaxHeaderSize);
    if (n + 8 > size)
        fail("{}: header length {} runs past the end of the file ({} bytes)", fileName, n, size);

    const nlohmann::json json = parseJson(std::string_view(reinterpret_cast<const char*>(bytes + 8), std::size_t(n)),
        fmt::format("{}: header", fileName));
    if (!json.is_object())
        fail("{}: header is not a JSON object", fileName);

    SafetensorsHeader header;
    header.headerLength = n;
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it->is_object())
                fail("{}: \"__metadata__\" is not an object of strings", fileName);
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string())
                    fail("{}: \"__metadata__\" value of '{}' is not a string", fileName, m.key());
                header.metadata[m.key()] = m->get<std::string>();
            }
            continue;
        }
        header.tensors.push_back(parseTensorEntry(it.key(), *it, fileName));
    }
    // The reference sorts by (begin, end) before validating: writers may list tensors in any order.
    std::stable_sort(header.tensors.begin(), header.tensors.end(),
        [](const auto& a, const auto& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
    std::uint64_t dataEnd = validateOffsets(header.tensors, fileName);
    if (dataEnd + 8 + n != size) {
        if (dataEnd + 8 + n < size)
            fail("{}: {} trailing bytes after the last tensor's data", fileName, size - (dataEnd + 8 + n));
        fail("{}: the tensors' data ends at byte {} but the file has {} bytes (truncated)", fileName, dataEnd + 8 + n,
            size);
    }
    return header;
}

at::ScalarType scalarTypeFromSafetensors(const std::string& dtype, const std::string& context)
{
    const DtypeEntry* entry = findDtype(dtype);
    if (!entry || !entry->scalarType)
        fail("{}: dtype {} is not supported", context, dtype);
    return *entry->scalarType;
}

std::string safetensorsDtypeName(at::ScalarType type)
{
    for (const auto& entry : dtypeTable())
        if (entry.scalarType && *entry.scalarType == type)
            return entry.name;
    fail("scalar type {} cannot be written to safetensors", c10::toString(type));
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : m_path(path)
{
    // O_NONBLOCK: a FIFO in a weight file's place must not wait for a writer; the check below then refuses it.
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fail("{}: cannot open ({})", path, std::strerror(errno));
    struct stat st { };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail("{}: not a regular file", path);
    }
    m_size = std::uint64_t(st.st_size);
    if (m_size > 0) {
        void* mapped = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            ::close(fd);
            fail("{}: cannot map ({})", path, std::strerror(errno));
        }
        m_data = static_cast<const std::uint8_t*>(mapped);
    }
    ::close(fd);
    static const std::uint8_t empty[1] = { 0 };
    try {
        m_header = parseSafetensorsHeader(m_data ? m_data : empty, m_size, path);
    } catch (...) {
        if (m_data)
            ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
        throw;
    }
    for (std::size_t i = 0; i < m_header.tensors.size(); ++i)
        m_index[m_header.tensors[i].name] = i;
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_data)
        ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
}

const SafetensorsTensorInfo* SafetensorsFile::find(const std::string& name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_header.tensors[it->second];
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const
{
    const SafetensorsTensorInfo* info = find(name);
    if (!info)
        fail("{}: no tensor named '{}'", m_path, name);
    at::ScalarType type = scalarTypeFromSafetensors(info->dtype, fmt::format("{}: tensor '{}'", m_path, name));
    at::Tensor result = at::empty(info->shape, at::TensorOptions().dtype(type));
    // Copied rather than wrapped: the data buffer's offsets need not be aligned for the element type.
    if (info->end > info->begin)
        std::memcpy(result.data_ptr(), m_data + 8 + m_header.headerLength + info->begin, info->end - info->begin);
    return result;
}

std::map<std::string, at::Tensor> loadSafetensors(const std::string& path)
{
    SafetensorsFile file(path);
    std::map<std::string, at::Tensor> tensors;
    for (const auto& info : file.header().tensors)
        tensors[info.name] = file.tensor(info.name);
    return tensors;
}

void saveSafetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
    const std::map<std::string, std::string>& metadata)
{
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<at::Tensor> data;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == "__metadata__")
            fail("{}: '__metadata__' cannot name a tensor", path);
        at::Tensor cpu = tensor.to(at::kCPU).contiguous();
        std::string dtype;
        try {
            dtype = safetensorsDtypeName(cpu.scalar_type());
        } catch (const Error& e) {
            fail("{}: tensor '{}': {}", path, name, e.what());
        }
        std::uint64_t bytes = std::uint64_t(cpu.numel()) * cpu.element_size();
        header[name]
            = { { "dtype", dtype }, { "shape", cpu.sizes().vec() }, { "data_offsets", { offset, offset + bytes } } };
        offset += bytes;
        data.push_back(cpu);
    }
    std::string text = header.dump();
    text.resize((text.size() + 7) / 8 * 8, ' ');

    writeFileAtomically(path, [&](std::ostream& out) {
        std::uint8_t length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = std::uint8_t(std::uint64_t(text.size()) >> (8 * i));
        out.write(reinterpret_cast<const char*>(length), 8);
        out.write(text.data(), std::streamsize(text.size()));
        for (const auto& tensor : data)
            out.write(
                static_cast<const char*>(tensor.data_ptr()), std::streamsize(tensor.numel() * tensor.element_size()));
    });
}

} // namespace spw
