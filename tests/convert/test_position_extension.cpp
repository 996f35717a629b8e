// extendPositionTable against DeepSpeed's extend_position_embedding (whole copies of the original rows) and
// design.md §4 (exactly N rows for BERT, N + 2 for RoBERTa, the last copy truncated). BERT reserves no rows; RoBERTa
// reserves rows 0..pad_token_id (2 rows for its usual padding index 1). extendPositionTableRandomly: the random
// baseline.
#include "common/error.h"
#include "convert/position_extension.h"

#include <gtest/gtest.h>

#include <string>

using namespace spw;

namespace {

std::string errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

TEST(PositionExtension, BertWholeMultipleEqualsDeepSpeedRepeat)
{
    const at::Tensor table = at::randn({ 8, 3 });
    const at::Tensor extended = extendPositionTable(table, 0, 24);
    // DeepSpeed: weight.repeat(max_position // original, 1).
    EXPECT_TRUE(at::equal(extended, table.repeat({ 3, 1 })));
}

TEST(PositionExtension, BertTruncatesTheLastCopy)
{
    const at::Tensor table = at::randn({ 8, 3 }, at::kDouble);
    const at::Tensor extended = extendPositionTable(table, 0, 20);
    ASSERT_EQ(extended.sizes(), (std::vector<std::int64_t> { 20, 3 }));
    EXPECT_EQ(extended.scalar_type(), at::kDouble);
    for (std::int64_t row = 0; row < 20; ++row)
        EXPECT_TRUE(at::equal(extended[row], table[row % 8])) << "row " << row;
}

TEST(PositionExtension, RobertaWholeMultipleMatchesDeepSpeed)
{
    const at::Tensor table = at::randn({ 10, 4 }); // 8 usable positions
    const at::Tensor extended = extendPositionTable(table, 2, 16);
    ASSERT_EQ(extended.sizes(), (std::vector<std::int64_t> { 18, 4 }));
    // DeepSpeed copies only rows 2.. (its rows 0-1 stay uninitialised from new_empty); design.md keeps the originals.
    EXPECT_TRUE(at::equal(extended.narrow(0, 0, 2), table.narrow(0, 0, 2)));
    EXPECT_TRUE(at::equal(extended.narrow(0, 2, 16), table.narrow(0, 2, 8).repeat({ 2, 1 })));
}

TEST(PositionExtension, RobertaTruncatesTheLastCopy)
{
    const at::Tensor table = at::randn({ 10, 4 });
    const at::Tensor extended = extendPositionTable(table, 2, 13);
    ASSERT_EQ(extended.size(0), 15);
    EXPECT_TRUE(at::equal(extended.narrow(0, 0, 2), table.narrow(0, 0, 2)));
    for (std::int64_t i = 0; i < 13; ++i)
        EXPECT_TRUE(at::equal(extended[2 + i], table[2 + i % 8])) << "position " << i;
}

TEST(PositionExtension, KeepsEveryReservedRowForAnotherPaddingIndex)
{
    // A RoBERTa whose pad_token_id is 5: rows 0-5 are reserved, positions run from row 6.
    const at::Tensor table = at::randn({ 10, 4 }); // 4 usable positions
    const at::Tensor extended = extendPositionTable(table, 6, 9);
    ASSERT_EQ(extended.size(0), 15);
    EXPECT_TRUE(at::equal(extended.narrow(0, 0, 6), table.narrow(0, 0, 6)));
    for (std::int64_t i = 0; i < 9; ++i)
        EXPECT_TRUE(at::equal(extended[6 + i], table[6 + i % 4])) << "position " << i;
    EXPECT_NE(errorOf([&] { extendPositionTable(table, 6, 4); }).find("current maximum 4"), std::string::npos);
}

TEST(PositionExtension, NewLengthMustExceedTheCurrentMaximum)
{
    const at::Tensor bert = at::randn({ 512, 2 });
    const std::string message = errorOf([&] { extendPositionTable(bert, 0, 512); });
    EXPECT_NE(message.find("max_position_embeddings 512"), std::string::npos) << message;
    EXPECT_NE(message.find("512 must exceed"), std::string::npos) << message;
    // RoBERTa's usable maximum is 512 of 514 rows: 513 is an extension, 512 is not.
    const at::Tensor roberta = at::randn({ 514, 2 });
    EXPECT_EQ(extendPositionTable(roberta, 2, 513).size(0), 515);
    const std::string robertaMessage = errorOf([&] { extendPositionTable(roberta, 2, 512); });
    EXPECT_NE(robertaMessage.find("max_position_embeddings 514"), std::string::npos) << robertaMessage;
    EXPECT_NE(robertaMessage.find("current maximum 512"), std::string::npos) << robertaMessage;
}

TEST(PositionExtension, MalformedTables)
{
    EXPECT_NE(errorOf([] { extendPositionTable(at::randn({ 8 }), 0, 16); }).find("[8]"), std::string::npos);
    EXPECT_NE(errorOf([] { extendPositionTable(at::randn({ 2, 4 }), 2, 16); }).find("2 reserved"), std::string::npos);
}

// Longformer's baseline: RoBERTa's reserved and original rows kept, the new ones drawn from N(0, std²), reproducibly.
TEST(PositionExtension, RandomRowsKeepTheOriginalAndDrawTheRestFromTheSeed)
{
    const at::Tensor table = at::randn({ 514, 64 }, at::kDouble);
    const at::Tensor extended = extendPositionTableRandomly(table, 2, 2048, 0.05, 7);
    ASSERT_EQ(extended.sizes(), (std::vector<std::int64_t> { 2050, 64 }));
    EXPECT_EQ(extended.scalar_type(), at::kDouble);
    EXPECT_TRUE(at::equal(extended.slice(0, 0, 514), table));
    const at::Tensor drawn = extended.slice(0, 514);
    EXPECT_NEAR(drawn.mean().item<double>(), 0.0, 0.002);
    EXPECT_NEAR(drawn.std().item<double>(), 0.05, 0.001);
    EXPECT_TRUE(at::equal(extended, extendPositionTableRandomly(table, 2, 2048, 0.05, 7)));
    EXPECT_FALSE(at::equal(extended, extendPositionTableRandomly(table, 2, 2048, 0.05, 8)));
    const std::string message = errorOf([&] { extendPositionTableRandomly(table, 2, 512, 0.05, 7); });
    EXPECT_NE(message.find("512 must exceed"), std::string::npos) << message;
}
