// The Model page against the engine: fixture folders (with and without tokenizer files), parameter counts checked
// against hand-derived formulas for BERT, token blocks against the engine tokenizer's own tokens, a broken folder
// (inline error, previous model kept), drag and drop, recent folders, the demo model, cancel, and the designer's
// block size reaching the page through the main window.
#include "designer/designer_input.h"
#include "designer/layout_designer_page.h"
#include "job_runner.h"
#include "key_value_model.h"
#include "main_window.h"
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "model/model_page.h"
#include "model/parameter_tree_model.h"
#include "model/recent_folders.h"
#include "model/token_view.h"
#include "presets.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QHelpEvent>
#include <QLabel>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QToolTip>
#include <QUrl>

using namespace spw;
using namespace spw::ui;

namespace {

const QString kBertMlm = QStringLiteral(SPW_FIXTURES_DIR "/models/bert_mlm");

// BERT's parameters by module, from the architecture (transformers' BertEmbeddings, BertLayer, MLM head with the
// decoder tied to the word embeddings), independent of the engine's own listing.
struct BertCounts {
    std::int64_t embeddings, layer, head;
};

BertCounts bertMaskedLmCounts(
    std::int64_t vocab, std::int64_t hidden, std::int64_t intermediate, std::int64_t positions, std::int64_t types)
{
    const std::int64_t h = hidden;
    BertCounts counts;
    counts.embeddings = vocab * h + positions * h + types * h + 2 * h;
    counts.layer = 3 * (h * h + h) // query, key, value
        + (h * h + h) + 2 * h // attention output dense + LayerNorm
        + (h * intermediate + intermediate) // intermediate
        + (intermediate * h + h) + 2 * h; // output dense + LayerNorm
    counts.head = (h * h + h) + 2 * h + vocab; // transform dense, LayerNorm, decoder bias
    return counts;
}

bool waitForLoad(ModelPage& page)
{
    QSignalSpy loaded(&page, &ModelPage::modelLoaded);
    QSignalSpy failed(&page, &ModelPage::loadFailed);
    return QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 60000) && !loaded.isEmpty();
}

QString createTinyModel(const QTemporaryDir& dir, const QString& name)
{
    CreateModelOptions options;
    options.layers = 2;
    options.hidden = 32;
    options.heads = 4;
    options.intermediate = 64;
    options.maxPosition = 128;
    options.vocab = demoVocabularySize(ModelFamily::Bert);
    const QString path = dir.filePath(name);
    createModelFolder(path.toStdString(), options);
    return path;
}

const ParameterNode* child(const ParameterNode& node, const QString& name)
{
    for (const auto& c : node.children)
        if (c->name == name)
            return c.get();
    return nullptr;
}

} // namespace

class TestModelPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("spw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_model_page"));
        initResources();
    }

    void init() { RecentFolders().clear(); }

    void fixtureWithoutTokenizer()
    {
        JobRunner runner;
        ModelPage page(&runner);
        QAbstractItemModelTester parameterTester(page.parameterModel());
        QAbstractItemModelTester configTester(page.configModel());
        page.openFolder(kBertMlm);
        QVERIFY(page.isLoading());
        QVERIFY(waitForLoad(page));
        QVERIFY(!page.isLoading());
        QVERIFY(!page.model().demo);

        const auto reference = EncoderModel::load(kBertMlm.toStdString());
        const ParameterNode* root = page.parameterModel()->root();
        QVERIFY(root);
        QCOMPARE(page.parameterModel()->total(), reference->parameterCount());
        // bert_mlm: vocab 99, hidden 32, intermediate 64, 64 positions, 2 token types, 2 layers, no pooler.
        const BertCounts counts = bertMaskedLmCounts(99, 32, 64, 64, 2);
        QCOMPARE(reference->parameterCount(), counts.embeddings + 2 * counts.layer + counts.head);
        QCOMPARE(child(*root, "Embeddings")->count, counts.embeddings);
        const ParameterNode* encoder = child(*root, "Encoder");
        QVERIFY(encoder);
        QCOMPARE(int(encoder->children.size()), 2);
        QCOMPARE(child(*encoder, "Layer 0")->count, counts.layer);
        QCOMPARE(child(*encoder, "Layer 1")->count, counts.layer);
        QCOMPARE(child(*root, "Head")->count, counts.head);
        QVERIFY(!child(*root, "Pooler"));
        // The view's top-level rows add up to the total too.
        qlonglong sum = 0;
        for (int row = 0; row < page.parameterModel()->rowCount(); ++row)
            sum += page.parameterModel()
                       ->index(row, ParameterTreeModel::CountColumn)
                       .data(ParameterTreeModel::CountRole)
                       .toLongLong();
        QCOMPARE(sum, qlonglong(reference->parameterCount()));

        QCOMPARE(page.configModel()->value("max_position_embeddings"), QStringLiteral("64"));
        QCOMPARE(page.configModel()->value("model_type"), QStringLiteral("bert"));
        QVERIFY(page.tokenView()->tokens().isEmpty());
        QVERIFY(page.tokenView()->summaryText().contains("no tokenizer files"));
        QVERIFY(page.recentFolders().contains(QDir::cleanPath(kBertMlm)));
    }

    void createdFolderTokensByBlock_data()
    {
        QTest::addColumn<int>("block");
        QTest::newRow("block 16") << 16;
        QTest::newRow("block 8") << 8;
        QTest::newRow("block 64") << 64;
    }

    void createdFolderTokensByBlock()
    {
        QFETCH(int, block);
        QTemporaryDir dir;
        const QString folder = createTinyModel(dir, "tiny");
        JobRunner runner;
        ModelPage page(&runner);
        page.setBlockSize(block);
        page.openFolder(folder);
        QVERIFY(waitForLoad(page));
        // The tiny config's count, by hand: 2 layers, hidden 32, intermediate 64, 128 positions.
        const std::int64_t vocab = demoVocabularySize(ModelFamily::Bert);
        const BertCounts counts = bertMaskedLmCounts(vocab, 32, 64, 128, 2);
        QCOMPARE(page.parameterModel()->total(), counts.embeddings + 2 * counts.layer + counts.head);

        const QString text = QStringLiteral("Sparse attention reads long documents in blocks of tokens.");
        page.tokenView()->setText(text);
        QTRY_VERIFY(page.tokenView()->text() == text && !page.tokenView()->tokens().isEmpty());
        const Encoding expected = Tokenizer::load(folder.toStdString())->encode(text.toStdString());
        QStringList expectedTokens;
        for (const std::string& token : expected.tokens)
            expectedTokens.append(QString::fromStdString(token));
        QCOMPARE(page.tokenView()->tokens(), expectedTokens);
        const std::vector<std::int64_t> blocks = page.tokenView()->blockIndices();
        QCOMPARE(blocks.size(), expected.tokens.size());
        for (std::size_t i = 0; i < blocks.size(); ++i)
            QCOMPARE(blocks[i], std::int64_t(i) / block);

        const int tokens = int(expected.tokens.size());
        const int padded = (tokens + block - 1) / block * block;
        const QString summary = page.tokenView()->summaryText();
        if (padded == tokens)
            QVERIFY2(summary.contains(QStringLiteral("no padding")), qPrintable(summary));
        else
            QVERIFY2(summary.contains(QStringLiteral("%1 tokens → %2 with padding to block %3 (%4 ")
                                          .arg(tokens)
                                          .arg(padded)
                                          .arg(block)
                                          .arg(padded / block)),
                qPrintable(summary));
        // Each padding token is drawn once, greyed, after the text's tokens.
        const QString drawn = page.tokenView()->tokenDisplay()->toPlainText();
        QCOMPARE(int(drawn.count(QStringLiteral("[PAD]"))), padded - tokens);
    }

    // Byte-level BPE tokens are drawn as the text they stand for: the real tokens' texts put together give back
    // the text typed (line breaks as ↵), none shows GPT-2's stand-ins, and hovering one says its id and position.
    void byteLevelTokensShowTheirText()
    {
        QTemporaryDir dir;
        CreateModelOptions options;
        options.family = ModelFamily::Roberta;
        options.layers = 1;
        options.hidden = 32;
        options.heads = 2;
        options.intermediate = 64;
        options.maxPosition = 130;
        options.vocab = demoVocabularySize(ModelFamily::Roberta);
        const QString folder = dir.filePath("roberta");
        createModelFolder(folder.toStdString(), options);
        JobRunner runner;
        ModelPage page(&runner);
        page.setBlockSize(16);
        page.openFolder(folder);
        QVERIFY(waitForLoad(page));

        const QString text = QStringLiteral("Sparse attention reads the text.\nThen the next line.");
        page.tokenView()->setText(text);
        QTRY_VERIFY(page.tokenView()->text() == text && !page.tokenView()->tokens().isEmpty());
        const Encoding encoding = Tokenizer::load(folder.toStdString())->encode(text.toStdString());
        QCOMPARE(page.tokenView()->tokens().size(), qsizetype(encoding.size()));
        QVERIFY(page.tokenView()->tokens().join("").contains(QChar(0x120))); // the vocabulary spells spaces as Ġ
        QString joined;
        for (std::size_t i = 0; i < encoding.size(); ++i)
            if (!encoding.specialTokensMask[i])
                joined += page.tokenView()->tokenTexts()[qsizetype(i)];
        QCOMPARE(joined.replace(QStringLiteral("↵"), QStringLiteral("\n")), text);
        const QString drawn = page.tokenView()->tokenDisplay()->toPlainText();
        QVERIFY2(!drawn.contains(QChar(0x120)) && !drawn.contains(QChar(0x10A)), qPrintable(drawn));
        QVERIFY(drawn.contains("<s>"));

        // Hovering the second token shows its id and position, through the view's own tooltip event.
        const int position = 2;
        QTextCursor cursor(page.tokenView()->tokenDisplay()->document());
        bool found = false;
        for (QTextBlock block = cursor.document()->begin(); block.isValid() && !found; block = block.next())
            for (auto it = block.begin(); !it.atEnd() && !found; ++it)
                if (it.fragment().charFormat().anchorHref() == QStringLiteral("token:%1").arg(position)) {
                    cursor.setPosition(it.fragment().position() + 1);
                    found = true;
                }
        QVERIFY(found);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QWidget* viewport = page.tokenView()->tokenDisplay()->viewport();
        const QPoint at = page.tokenView()->tokenDisplay()->cursorRect(cursor).center();
        QHelpEvent hover(QEvent::ToolTip, at, viewport->mapToGlobal(at));
        QCoreApplication::sendEvent(viewport, &hover);
        QTRY_VERIFY(QToolTip::isVisible());
        const QString tip = QToolTip::text();
        QVERIFY2(tip.contains(QStringLiteral("id %1").arg(encoding.ids[position])), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("position %1").arg(position)), qPrintable(tip));
        QVERIFY2(tip.contains(page.tokenView()->tokenTexts()[position]), qPrintable(tip));
    }

    // A folder that fails to load, with no model open before it: the page says why once, inline, and the token
    // pane does not add a misleading "no tokenizer files".
    void failedFirstLoadSaysItOnce()
    {
        JobRunner runner;
        ModelPage page(&runner);
        QCOMPARE(page.tokenView()->summaryText(), QStringLiteral("No model open."));
        QTemporaryDir dir;
        QSignalSpy failed(&page, &ModelPage::loadFailed);
        page.openFolder(dir.path());
        QVERIFY(failed.wait(60000));
        QVERIFY(!page.errorText().isEmpty());
        QVERIFY(!page.errorText().contains("already open"));
        QCOMPARE(page.tokenView()->summaryText(), QStringLiteral("No model open."));
    }

    void brokenFolderKeepsPreviousModel()
    {
        JobRunner runner;
        ModelPage page(&runner);
        page.openFolder(kBertMlm);
        QVERIFY(waitForLoad(page));
        const std::int64_t total = page.parameterModel()->total();

        QTemporaryDir dir;
        QFile config(dir.filePath("config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"model_type\": \"bert\", \"hidden_size\": \"wide\"}");
        config.close();
        QSignalSpy failed(&page, &ModelPage::loadFailed);
        page.openFolder(dir.path());
        QVERIFY(failed.wait(60000));
        QVERIFY2(page.errorText().contains("config.json"), qPrintable(page.errorText()));
        QVERIFY(page.errorText().contains("already open stays"));
        QVERIFY(!page.isLoading());
        QCOMPARE(page.model().directory, QDir::cleanPath(kBertMlm));
        QCOMPARE(page.parameterModel()->total(), total);
        QVERIFY(!page.recentFolders().contains(QDir::cleanPath(dir.path())));

        // A folder that loads clears the error.
        page.openFolder(kBertMlm);
        QVERIFY(waitForLoad(page));
        QVERIFY(page.errorText().isEmpty());
    }

    void dropFolderOpensIt()
    {
        JobRunner runner;
        ModelPage page(&runner);
        QMimeData file;
        file.setUrls({ QUrl::fromLocalFile(kBertMlm + "/config.json") });
        QDragEnterEvent rejected(QPoint(10, 10), Qt::CopyAction, &file, Qt::LeftButton, Qt::NoModifier);
        rejected.setAccepted(false);
        QCoreApplication::sendEvent(&page, &rejected);
        QVERIFY(!rejected.isAccepted());

        QMimeData folder;
        folder.setUrls({ QUrl::fromLocalFile(kBertMlm) });
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
        enter.setAccepted(false);
        QCoreApplication::sendEvent(&page, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy loaded(&page, &ModelPage::modelLoaded);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&page, &drop);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(page.model().directory, QDir::cleanPath(kBertMlm));
    }

    void recentFoldersArePrunedAndCapped()
    {
        QTemporaryDir dir;
        RecentFolders recent;
        QStringList made;
        for (int i = 0; i < RecentFolders::kMaximum + 2; ++i) {
            made.append(dir.filePath(QStringLiteral("f%1").arg(i)));
            QVERIFY(QDir().mkpath(made.last()));
            recent.add(made.last());
        }
        QStringList folders = recent.folders();
        QCOMPARE(folders.size(), RecentFolders::kMaximum);
        QCOMPARE(folders.first(), made.last()); // newest first
        QVERIFY(QDir(made.last()).removeRecursively());
        folders = recent.folders();
        QCOMPARE(folders.size(), RecentFolders::kMaximum - 1);
        QVERIFY(!folders.contains(made.last()));
        recent.add(made[RecentFolders::kMaximum]); // already listed: moves to the top, no duplicate
        QCOMPARE(recent.folders().first(), made[RecentFolders::kMaximum]);
        QCOMPARE(recent.folders().count(made[RecentFolders::kMaximum]), 1);
    }

    void shippedDemoModelIsTheTrainedRobertaReadWhereItIs()
    {
        const QString shipped = shippedDemoModelDirectory();
        QVERIFY2(QFileInfo(shipped + "/model.safetensors").isFile(), qPrintable(shipped));
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        const QStringList before = QDir(cache).entryList({ "demo-bert-*" }, QDir::Dirs);

        JobRunner runner;
        ModelPage page(&runner);
        page.openDemoModel();
        QVERIFY(waitForLoad(page));
        QVERIFY(page.model().demo);
        QVERIFY(!page.model().randomWeights);
        QCOMPARE(page.model().directory, QDir::cleanPath(shipped));
        QCOMPARE(page.configModel()->value("architectures"), QStringLiteral("[\"RobertaForMaskedLM\"]"));
        QVERIFY(page.findChild<QLabel*>("demoNote")->text().contains("Linux kernel"));
        QVERIFY(!page.tokenView()->tokens().isEmpty()); // the sample text, with the model's own BPE
        QVERIFY(!page.recentFolders().contains(page.model().directory));
        QCOMPARE(QDir(cache).entryList({ "demo-bert-*" }, QDir::Dirs), before); // nothing created
    }

    void demoModelIsCreatedOnceAndReused()
    {
        DemoModelShape shape;
        shape.layers = 1;
        shape.hidden = 32;
        shape.heads = 2;
        shape.intermediate = 64;
        shape.maxPosition = 64;
        const QString directory = demoModelDirectory(shape);
        QVERIFY(directory.startsWith(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)));
        QVERIFY(directory.endsWith("demo-bert-L1-H32-A2-I64-P64-s0"));
        QDir(directory).removeRecursively();

        JobRunner runner;
        ModelPage page(&runner);
        page.openRandomDemoModel(shape);
        QVERIFY(waitForLoad(page));
        QVERIFY(page.model().demo);
        QVERIFY(page.findChild<QLabel*>("demoNote")->isVisibleTo(&page));
        QVERIFY(page.findChild<QLabel*>("demoNote")->text().contains("random weights"));
        QCOMPARE(page.configModel()->value("num_hidden_layers"), QStringLiteral("1"));
        QVERIFY(!page.tokenView()->tokens().isEmpty()); // the sample text, with the demo tokenizer
        QVERIFY(!page.recentFolders().contains(directory));

        // The second start reuses the folder: the weights file is not rewritten.
        const QDateTime written = QFileInfo(directory + "/model.safetensors").lastModified();
        page.openRandomDemoModel(shape);
        QVERIFY(waitForLoad(page));
        QCOMPARE(QFileInfo(directory + "/model.safetensors").lastModified(), written);

        // A damaged folder is replaced rather than reported.
        QFile::remove(directory + "/model.safetensors");
        page.openRandomDemoModel(shape);
        QVERIFY(waitForLoad(page));
        QVERIFY(QFileInfo::exists(directory + "/model.safetensors"));
        QDir(directory).removeRecursively();
    }

    void cancelledLoadDeliversNothing()
    {
        JobRunner runner;
        ModelPage page(&runner);
        QSignalSpy loaded(&page, &ModelPage::modelLoaded);
        QSignalSpy idle(&runner, &JobRunner::becameIdle);
        page.openFolder(kBertMlm);
        page.cancelLoading();
        QVERIFY(!page.isLoading());
        QVERIFY(idle.wait(60000));
        QCoreApplication::processEvents();
        QCOMPARE(loaded.count(), 0);
        QVERIFY(!page.model().isValid());
        QVERIFY(page.errorText().isEmpty());
    }

    void designerBlockReachesTokens()
    {
        MainWindow window;
        QCOMPARE(window.modelPage()->tokenView()->blockSize(), window.layoutPage()->input().config.block);
        DesignerInput input = window.layoutPage()->input();
        input.config.block = 32;
        window.layoutPage()->edit(input, "block 32");
        QCOMPARE(window.modelPage()->tokenView()->blockSize(), 32);
    }
};

QTEST_MAIN(TestModelPage)
#include "test_model_page.moc"
