// Files of a model folder are used only when they resolve inside it (common/folder_containment.h): links within the
// folder and a HuggingFace cache snapshot's links to its blobs are fine, a link anywhere else is not.
#include "common/error.h"
#include "common/folder_containment.h"
#include "common/run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spw {
namespace {

namespace fs = std::filesystem;

class FolderContainment : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_root = test::makeTempDir("spw-containment");
        m_model = m_root / "model";
        fs::create_directories(m_model / "sub");
        std::ofstream(m_model / "config.json") << "{}";
        std::ofstream(m_root / "secret.txt") << "secret";
    }
    void TearDown() override { fs::remove_all(m_root); }

    fs::path m_root;
    fs::path m_model;
};

TEST_F(FolderContainment, FilesAndLinksInsideTheFolderAreInside)
{
    EXPECT_TRUE(resolvesInsideFolder(m_model, m_model / "config.json"));
    EXPECT_TRUE(resolvesInsideFolder(m_model, m_model / "missing.json")); // opening it will name it
    fs::create_symlink("config.json", m_model / "alias.json");
    fs::create_symlink("../config.json", m_model / "sub" / "up.json");
    EXPECT_TRUE(resolvesInsideFolder(m_model, m_model / "alias.json"));
    EXPECT_TRUE(resolvesInsideFolder(m_model, m_model / "sub" / "up.json"));
    EXPECT_NO_THROW(requireInsideFolder(m_model, m_model / "alias.json"));
}

TEST_F(FolderContainment, LinksLeadingOutAreRefusedNamingTheFile)
{
    fs::create_symlink(m_root / "secret.txt", m_model / "notes.txt");
    fs::create_symlink("../secret.txt", m_model / "relative.txt");
    fs::create_symlink("/etc/passwd", m_model / "passwd.txt");
    fs::create_symlink(m_root, m_model / "outside"); // a folder link: everything through it is outside
    for (const fs::path& path :
        { m_model / "notes.txt", m_model / "relative.txt", m_model / "passwd.txt", m_model / "outside" / "secret.txt" })
        EXPECT_FALSE(resolvesInsideFolder(m_model, path)) << path;
    try {
        requireInsideFolder(m_model, m_model / "notes.txt");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
            (m_model / "notes.txt").string() + ": leads outside the model folder " + m_model.string() + " (to "
                + (m_root / "secret.txt").string() + ")");
    }
}

// transformers' cache: models--ORG--NAME/snapshots/REV/config.json -> ../../blobs/HASH.
TEST_F(FolderContainment, AHuggingFaceCacheSnapshotMayLinkToItsBlobs)
{
    const fs::path repo = m_root / "models--org--bert";
    const fs::path snapshot = repo / "snapshots" / "0123abcd";
    fs::create_directories(snapshot);
    fs::create_directories(repo / "blobs");
    std::ofstream(repo / "blobs" / "f00d") << "{}";
    fs::create_symlink("../../blobs/f00d", snapshot / "config.json");
    fs::create_symlink("../../../secret.txt", snapshot / "notes.txt");
    EXPECT_TRUE(resolvesInsideFolder(snapshot, snapshot / "config.json"));
    EXPECT_FALSE(resolvesInsideFolder(snapshot, snapshot / "notes.txt"));
    // Only a folder inside "snapshots" gets that allowance.
    const fs::path plain = m_root / "plain";
    fs::create_directories(plain);
    fs::create_symlink(repo / "blobs" / "f00d", plain / "config.json");
    EXPECT_FALSE(resolvesInsideFolder(plain, plain / "config.json"));
}

} // namespace
} // namespace spw
