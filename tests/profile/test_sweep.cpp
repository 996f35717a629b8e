// The sweep's structure: which points, in which order, delivered how, with progress and cancel.
#include "profile/profile_model.h"
#include "profile/profiler.h"
#include "profile_test_support.h"

#include "common/error.h"

#include <gtest/gtest.h>

namespace spw {
namespace {

TEST(ProfileSweep, PointsComeInSweepOrderOnePerLengthBatchAndLayout)
{
    auto model = test::tinyEncoder();
    const ProfileSettings settings = test::smallSweep();
    std::vector<ProfilePoint> delivered;
    const auto points
        = runProfileSweep(*model, settings, nullptr, [&](const ProfilePoint& point) { delivered.push_back(point); });
    ASSERT_EQ(points.size(), 8u);
    ASSERT_EQ(delivered.size(), points.size());
    std::size_t i = 0;
    for (std::int64_t length : settings.seqLens)
        for (std::int64_t batch : settings.batches)
            for (const ProfileLayout& layout : settings.layouts) {
                SCOPED_TRACE(i);
                EXPECT_EQ(points[i].seqLen, length);
                EXPECT_EQ(points[i].batch, batch);
                EXPECT_EQ(points[i].layout, layout.name);
                EXPECT_EQ(delivered[i].layout, points[i].layout);
                EXPECT_EQ(delivered[i].seqLen, points[i].seqLen);
                EXPECT_EQ(points[i].paddedLength, length);
                ++i;
            }
}

TEST(ProfileSweep, EachRunHasOrderedStatisticsAndOneTimingPerLayer)
{
    auto model = test::tinyEncoder();
    const auto points = runProfileSweep(*model, test::smallSweep());
    for (const ProfilePoint& point : points) {
        for (const RunMeasurement* run : { &point.dense, &point.sparse }) {
            EXPECT_LE(run->time.minMs, run->time.medianMs);
            EXPECT_LE(run->time.medianMs, run->time.maxMs);
            EXPECT_GT(run->time.minMs, 0.0);
            EXPECT_GE(run->peakMiB, 0.0);
            ASSERT_EQ(run->layers.size(), 2u);
            for (int layer = 0; layer < 2; ++layer) {
                EXPECT_EQ(run->layers[std::size_t(layer)].layer, layer);
                EXPECT_GT(run->layers[std::size_t(layer)].attentionMs, 0.0);
                EXPECT_GT(run->layers[std::size_t(layer)].otherMs, 0.0);
            }
        }
        EXPECT_DOUBLE_EQ(point.speedup, point.dense.time.medianMs / point.sparse.time.medianMs);
    }
    // Dense runs once per (length, batch): both layouts of a pair carry the same dense measurement.
    EXPECT_DOUBLE_EQ(points[0].dense.time.medianMs, points[1].dense.time.medianMs);
    EXPECT_DOUBLE_EQ(points[0].density, 1.0);
    EXPECT_LT(points[1].density, 1.0);
}

TEST(ProfileSweep, ProgressNeverDecreasesAndEndsAtOne)
{
    auto model = test::tinyEncoder();
    std::vector<float> fractions;
    runProfileSweep(*model, test::smallSweep(), nullptr, {}, [&](float f) {
        fractions.push_back(f);
        return true;
    });
    // 4 (length, batch) pairs × (dense + 2 layouts) × (1 warm-up + 2 repeats) forwards, then the final 1.
    ASSERT_EQ(fractions.size(), 4u * 3u * 3u + 1u);
    EXPECT_FLOAT_EQ(fractions.front(), 0.0f);
    EXPECT_FLOAT_EQ(fractions.back(), 1.0f);
    for (std::size_t i = 1; i < fractions.size(); ++i)
        EXPECT_GE(fractions[i], fractions[i - 1]);
}

TEST(ProfileSweep, CancelThrowsStopsEarlyAndRestoresTheModel)
{
    auto model = test::tinyEncoder();
    std::vector<ProfilePoint> delivered;
    int calls = 0;
    // Enough calls for the first (length, batch) pair's three runs, then cancel.
    EXPECT_THROW(runProfileSweep(
                     *model, test::smallSweep(), nullptr, [&](const ProfilePoint& p) { delivered.push_back(p); },
                     [&](float) { return ++calls <= 10; }),
        Cancelled);
    EXPECT_EQ(calls, 11);
    EXPECT_EQ(delivered.size(), 2u);
    for (int layer = 0; layer < model->layerCount(); ++layer)
        EXPECT_EQ(model->selfAttention(layer).sparseAttention(), nullptr);
}

TEST(ProfileSweep, LengthsThatAreNotAMultipleOfTheBlockArePadded)
{
    auto model = test::tinyEncoder();
    ProfileSettings settings = test::smallSweep();
    settings.seqLens = { 100 };
    settings.batches = { 1 };
    const auto points = runProfileSweep(*model, settings);
    ASSERT_EQ(points.size(), 2u);
    EXPECT_EQ(points[0].seqLen, 100);
    EXPECT_EQ(points[0].paddedLength, 112);
}

TEST(ProfileSweep, LengthBeyondTheMaximumSaysToConvertOrExtend)
{
    auto model = test::tinyEncoder(128);
    ProfileSettings settings = test::smallSweep();
    settings.seqLens = { 256 };
    try {
        runProfileSweep(*model, settings);
        FAIL() << "expected spw::Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("256"), std::string::npos) << message;
        EXPECT_NE(message.find("128"), std::string::npos) << message;
        EXPECT_NE(message.find("convert"), std::string::npos) << message;
        EXPECT_NE(message.find("--extend"), std::string::npos) << message;
    }
    EXPECT_EQ(model->config().maxPositionEmbeddings, 128);
}

TEST(ProfileSweep, ExtendLengthensThePositionTableByCopies)
{
    auto model = test::tinyEncoder(128);
    const at::Tensor original = model->positionEmbeddings().clone();
    ProfileSettings settings = test::smallSweep();
    settings.seqLens = { 200 }; // padded to 208 for block 16
    settings.batches = { 1 };
    settings.extend = true;
    const auto points = runProfileSweep(*model, settings);
    EXPECT_EQ(points.size(), 2u);
    EXPECT_EQ(model->config().maxPositionEmbeddings, 208);
    EXPECT_TRUE(model->positionEmbeddings().narrow(0, 128, 80).equal(original.narrow(0, 0, 80)));
}

TEST(ProfileSweep, RejectsEmptyOrNonPositiveSettings)
{
    auto model = test::tinyEncoder();
    ProfileSettings settings = test::smallSweep();
    settings.seqLens.clear();
    EXPECT_THROW(runProfileSweep(*model, settings), Error);
    settings = test::smallSweep();
    settings.batches = { 0 };
    EXPECT_THROW(runProfileSweep(*model, settings), Error);
    settings = test::smallSweep();
    settings.layouts.clear();
    EXPECT_THROW(runProfileSweep(*model, settings), Error);
    settings = test::smallSweep();
    settings.repeats = 0;
    EXPECT_THROW(runProfileSweep(*model, settings), Error);
    settings = test::smallSweep();
    settings.text = "some text";
    EXPECT_THROW(runProfileSweep(*model, settings), Error); // no tokenizer
}

TEST(ProfileSweep, LayoutWithOtherHeadCountIsRejected)
{
    auto model = test::tinyEncoder();
    ProfileSettings settings = test::smallSweep();
    settings.layouts[1].config.numHeads = 3;
    EXPECT_THROW(runProfileSweep(*model, settings), Error);
}

} // namespace
} // namespace spw
