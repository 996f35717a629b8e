// The safetensors reader against the reference implementation's rules (huggingface/safetensors tensor.rs), on
// files built byte by byte, and the writer's round trip.
#include "common/error.h"
#include "common/temp_dir.h"
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using spw::SafetensorsFile;

namespace {

std::string rawFile(const std::string& header, const std::string& data, std::uint64_t declaredLength)
{
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[i] = char((declaredLength >> (8 * i)) & 0xff);
    return bytes + header + data;
}

std::string rawFile(const std::string& header, const std::string& data)
{
    return rawFile(header, data, header.size());
}

class SafetensorsTest : public ::testing::Test {
protected:
    void SetUp() override { m_dir = spw::test::makeTempDir("spw-safetensors"); }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string write(const std::string& bytes, const std::string& name = "t.safetensors")
    {
        std::string path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

    // Opening `bytes` fails with a message that names the file and contains `expected`.
    void expectRejected(const std::string& bytes, const std::string& expected)
    {
        std::string path = write(bytes);
        try {
            SafetensorsFile file(path);
            FAIL() << "accepted a file that should fail with: " << expected;
        } catch (const spw::Error& e) {
            std::string message = e.what();
            EXPECT_NE(message.find(path), std::string::npos) << message;
            EXPECT_NE(message.find(expected), std::string::npos) << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        }
    }

    std::string m_dir;
};

const std::string kTwoTensors
    = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}})";

} // namespace

TEST_F(SafetensorsTest, ReadsAValidFileInAnyHeaderOrder)
{
    std::string data(16, '\0');
    float values[2] = { 1.5f, -2.0f };
    std::int64_t id = 42;
    std::memcpy(&data[0], values, 8);
    std::memcpy(&data[8], &id, 8);
    std::string header = R"({"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"__metadata__":{"format":"pt"},)"
                         R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    SafetensorsFile file(write(rawFile(header, data)));
    ASSERT_EQ(file.header().tensors.size(), 2u);
    EXPECT_EQ(file.header().tensors[0].name, "a");
    EXPECT_EQ(file.header().metadata.at("format"), "pt");
    at::Tensor a = file.tensor("a");
    EXPECT_EQ(a.scalar_type(), at::kFloat);
    EXPECT_FLOAT_EQ(a[1].item<float>(), -2.0f);
    EXPECT_EQ(file.tensor("b").item<std::int64_t>(), 42);
}

TEST_F(SafetensorsTest, RejectsTooSmallTruncatedAndOversizedHeaders)
{
    expectRejected("abc", "too small");
    std::string good = rawFile(kTwoTensors, std::string(16, '\0'));
    expectRejected(good.substr(0, good.size() - 4), "truncated");
    expectRejected(rawFile(kTwoTensors, std::string(16, '\0'), good.size()), "runs past the end");
    expectRejected(rawFile(kTwoTensors, std::string(16, '\0'), 100'000'001), "exceeds the limit");
}

TEST_F(SafetensorsTest, RejectsGarbageHeaders)
{
    expectRejected(rawFile("{not json", ""), "header: not valid JSON");
    expectRejected(rawFile("{\"a\xff\":1}", ""), "header: not valid JSON");
    expectRejected(rawFile("[1, 2]  ", ""), "not a JSON object");
    expectRejected(rawFile(R"({"__metadata__":{"format":1}})", ""), "__metadata__");
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[1]}})", std::string(4, '\0')), "'a'");
    expectRejected(
        rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[-1,3]}})", std::string(4, '\0')), "non-negative");
}

TEST_F(SafetensorsTest, RejectsOverlapsGapsAndTrailingBytes)
{
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                       std::string(12, '\0')),
        "tensor 'b': data_offsets [4, 12] overlap");
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                       std::string(20, '\0')),
        "tensor 'b': data_offsets [12, 20] leave a gap");
    expectRejected(
        rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", std::string(12, '\0')), "tensor 'a'");
    expectRejected(rawFile(kTwoTensors, std::string(24, '\0')), "8 trailing bytes");
}

TEST_F(SafetensorsTest, RejectsUnknownDtypesAndSizeMismatches)
{
    expectRejected(rawFile(R"({"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "tensor 'a': unknown dtype 'F33'");
    expectRejected(rawFile(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "tensor 'a': 8 bytes of data for shape [3] of F32 (12 bytes expected)");
    expectRejected(
        rawFile(R"({"a":{"dtype":"F32","shape":[4611686018427387904,16],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "tensor 'a': shape overflows");
}

TEST_F(SafetensorsTest, ValidatesButDoesNotMaterialiseDtypesTheEngineCannotHold)
{
    SafetensorsFile file(
        write(rawFile(R"({"f8":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})", std::string(4, '\0'))));
    EXPECT_THROW(file.tensor("f8"), spw::Error);
    EXPECT_THROW(file.tensor("absent"), spw::Error);
}

TEST_F(SafetensorsTest, WriterRoundTripsBitIdenticallyWithAlignedHeader)
{
    std::map<std::string, at::Tensor> tensors = {
        { "z.f32", at::randn({ 3, 5 }) },
        { "a.f16", at::randn({ 7 }).to(at::kHalf) },
        { "m.bf16", at::randn({ 2, 2, 3 }).to(at::kBFloat16) },
        { "ids", at::arange(11, at::kLong) },
        { "flags", at::randn({ 5 }).gt(0) },
        { "scalar", at::tensor(3.25, at::kDouble).reshape({}) },
        { "empty", at::zeros({ 0, 4 }) },
        { "bytes", at::arange(9, at::kByte) },
    };
    std::string path = m_dir + "/round.safetensors";
    spw::saveSafetensors(path, tensors);

    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::uint64_t headerLength = 0;
    std::memcpy(&headerLength, bytes.data(), 8);
    EXPECT_EQ(headerLength % 8, 0u);
    std::string header = bytes.substr(8, headerLength);
    EXPECT_EQ(header.find("{\"__metadata__\":{\"format\":\"pt\"}"), 0u) << header;
    EXPECT_LT(header.find("\"a.f16\""), header.find("\"bytes\"")); // sorted name order
    EXPECT_LT(header.find("\"scalar\""), header.find("\"z.f32\""));

    SafetensorsFile file(path);
    ASSERT_EQ(file.header().tensors.size(), tensors.size());
    for (const auto& [name, original] : tensors) {
        at::Tensor read = file.tensor(name);
        EXPECT_EQ(read.scalar_type(), original.scalar_type()) << name;
        EXPECT_EQ(read.sizes(), original.sizes()) << name;
        EXPECT_EQ(std::memcmp(read.data_ptr(), original.contiguous().data_ptr(), original.nbytes()), 0) << name;
    }
}
