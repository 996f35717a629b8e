// Convert & export against the engine: the preview of a known plan (table sizes, layers, attention cost computed
// here from the engine's layout statistics at the new length), an export loaded back (max_position_embeddings,
// the recorded sparse_attention, the tokenizer's model_max_length) while the loaded model stays unchanged, an
// export onto an existing folder failing inline, and the drift after comparing (positions extended only: none;
// block-sparse attention on a text longer than one window: some); the masked-LM quality, and cancelling it.
#include "convert/convert_page.h"
#include "convert/drift_panel.h"
#include "convert/drift_table_model.h"
#include "convert/export_folder_dialog.h"
#include "convert/model_conversion.h"
#include "convert/quality_panel.h"
#include "convert/quality_table_model.h"
#include "convert/sparse_attention_record.h"
#include "job_runner.h"
#include "key_value_model.h"
#include "model/create_model.h"
#include "model/encoder_model.h"
#include "model/loaded_model.h"
#include "presets.h"
#include "profile/profile_model.h"
#include "quality/evaluation.h"
#include "quality_text.h"
#include "sparsity/layout.h"
#include "tokenizer/demo_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "widgets/quality_text_picker.h"

#include <nlohmann/json.hpp>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <fstream>

using namespace spw;
using namespace spw::ui;

namespace {

SparsityConfig fixedConfig()
{
    SparsityConfig config = defaultsFor(SparsityMode::Fixed);
    config.block = 16;
    config.numLocalBlocks = 2;
    config.numGlobalBlocks = 1;
    config.numHeads = 12; // the designer's own head count: the conversion uses the model's 4
    return config;
}

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

QString longText()
{
    QString text;
    for (int i = 0; i < 12; ++i)
        text += QStringLiteral("Long documents are read in blocks of tokens, with local windows and global blocks. ");
    return text;
}

// Runs `act` on the modal dialog of type Widget once it is up (the page opens it with exec(), which blocks).
template <typename Widget> void whenModal(std::function<void(Widget*)> act)
{
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, act] {
        if (auto* widget = qobject_cast<Widget*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(widget);
        }
    });
    timer->start();
}

void writeFile(const QString& path)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write("{}");
}

} // namespace

class TestConvertPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    LoadedModel m_model;

    // A page over the tiny model with the fixed configuration offered, its first preview in.
    std::unique_ptr<ConvertPage> makePage(JobRunner& runner)
    {
        auto page = std::make_unique<ConvertPage>(&runner);
        page->setSparsity(fixedConfig(), "fixed");
        page->setSampleText(longText());
        QSignalSpy shown(page.get(), &ConvertPage::previewShown);
        page->setModel(m_model);
        if (!shown.wait(30000))
            qWarning("no preview");
        return page;
    }

    // Measures quality and waits until the page has the result or the failure.
    static bool measure(ConvertPage& page)
    {
        QSignalSpy measured(&page, &ConvertPage::qualityFinished);
        QSignalSpy failed(&page, &ConvertPage::jobFailed);
        page.measureQuality();
        return QTest::qWaitFor([&] { return !measured.isEmpty() || !failed.isEmpty(); }, 60000) && !page.isBusy();
    }

    static bool waitForPreview(ConvertPage& page, std::int64_t rowsAfter, std::size_t layers)
    {
        return QTest::qWaitFor(
            [&] {
                return page.preview().positionRowsAfter == rowsAfter && page.preview().layersTouched.size() == layers
                    && page.errorText().isEmpty();
            },
            30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        initResources();
        CreateModelOptions options;
        options.layers = 2;
        options.hidden = 32;
        options.heads = 4;
        options.intermediate = 64;
        options.maxPosition = 128;
        options.vocab = demoVocabularySize(ModelFamily::Bert);
        options.seed = 7;
        createModelFolder(m_dir.filePath("tiny").toStdString(), options);
        m_model = loadModelFolder(m_dir.filePath("tiny"));
    }

    void previewOfKnownPlan()
    {
        JobRunner runner;
        auto page = makePage(runner);
        QAbstractItemModelTester tester(page->previewModel());
        page->setMaxLength(256);
        page->setLayerChecked(1, false);
        page->setSeed(3);
        QVERIFY(waitForPreview(*page, 256, 1));
        const ConversionPreviewResult& preview = page->preview();
        QCOMPARE(preview.positionRowsBefore, std::int64_t(128));
        QCOMPARE(preview.layersTouched, std::vector<int> { 0 });
        // One of two layers sparse: its attention costs the layout's share at 256 tokens, the other layer 1.
        SparsityConfig config = fixedConfig();
        config.numHeads = 4;
        const LayoutStats stats = computeStats(makeLayout(config, 256, 4, 3));
        QVERIFY(stats.flopsRelativeToDense < 1.0);
        QVERIFY(qAbs(preview.attentionCostRelativeToDense - (stats.flopsRelativeToDense + 1.0) / 2.0) < 1e-12);
        QCOMPARE(page->previewModel()->value("Position table rows"), QStringLiteral("128 → 256 × 32"));
        QVERIFY(page->previewModel()->value("Layers made sparse").startsWith("0 (1 of 2)"));
        // In words: the sparse layer's own figure, and the whole model's with the dense layer counted at 100 %.
        // The C library's rounding (ties to even: 56.25 reads 56.2), not Qt's own asprintf (ties away).
        auto percent = [](double fraction) {
            char text[32];
            std::snprintf(text, sizeof text, "%.1f %%", 100.0 * fraction);
            return QString::fromLatin1(text);
        };
        QCOMPARE(page->previewModel()->value("Attention cost at 256 tokens"),
            QStringLiteral("%1 of dense attention in the 1 sparse layer (0), dense in the other 1: %2 over the whole "
                           "model")
                .arg(percent(stats.flopsRelativeToDense), percent((stats.flopsRelativeToDense + 1.0) / 2.0)));
        page->setLayerChecked(1, true);
        QVERIFY(waitForPreview(*page, 256, 2));
        QCOMPARE(page->previewModel()->value("Attention cost at 256 tokens"),
            QStringLiteral("%1 of dense attention in each of the 2 layers").arg(percent(stats.flopsRelativeToDense)));

        // Positions only: attention stays dense everywhere.
        page->setUseSparsity(false);
        QVERIFY(waitForPreview(*page, 256, 0));
        QCOMPARE(page->preview().attentionCostRelativeToDense, 1.0);
        QVERIFY(page->previewModel()->value("Self-attention").contains("dense in every layer"));
        QCOMPARE(page->previewModel()->value("Attention cost at 256 tokens"),
            QStringLiteral("dense attention in every layer"));

        // Keeping the length and using no sparsity is nothing to convert: said inline.
        page->setMaxLength(128);
        QTRY_VERIFY_WITH_TIMEOUT(page->errorText().contains("nothing to convert"), 30000);
    }

    // "All" and "None" are buttons that look like buttons, and they check and uncheck every layer.
    void allAndNoneCheckTheLayers()
    {
        JobRunner runner;
        auto page = makePage(runner);
        auto* all = page->findChild<QPushButton*>("checkAllLayers");
        auto* none = page->findChild<QPushButton*>("checkNoLayers");
        QVERIFY(all && none);
        QVERIFY(!all->isFlat() && !none->isFlat());
        none->click();
        QVERIFY(page->settings().layers.empty());
        all->click();
        QCOMPARE(page->settings().layers, (std::vector<int> { 0, 1 }));
    }

    void exportLoadsBackWithTheEngine()
    {
        JobRunner runner;
        auto page = makePage(runner);
        page->setMaxLength(256);
        page->setSeed(5);
        QVERIFY(waitForPreview(*page, 256, 2));
        const QString out = m_dir.filePath("exported");
        QSignalSpy exported(page.get(), &ConvertPage::exportFinished);
        page->exportTo(out);
        QVERIFY(page->isBusy());
        QVERIFY(exported.wait(60000));
        QVERIFY(page->successText().contains(QDir::toNativeSeparators(out)));

        const auto model = loadForRun(out.toStdString());
        QCOMPARE(model->config().maxPositionEmbeddings, std::int64_t(256));
        QCOMPARE(model->positionEmbeddings().size(0), std::int64_t(256));
        QCOMPARE(sparseLayers(*model), (std::vector<int> { 0, 1 }));
        const nlohmann::json config = readJson(out + "/config.json");
        QCOMPARE(config["sparse_attention"]["mode"].get<std::string>(), std::string("fixed"));
        QCOMPARE(config["sparse_attention"]["seed"].get<int>(), 5);
        QCOMPARE(config["sparse_attention"]["num_heads"].get<int>(), 4);
        QCOMPARE(readJson(out + "/tokenizer_config.json")["model_max_length"].get<int>(), 256);
        // The page converted a copy: the loaded model is as it was.
        QCOMPARE(m_model.model->config().maxPositionEmbeddings, std::int64_t(128));
        QVERIFY(sparseLayers(*m_model.model).empty());
    }

    void exportOntoExistingFolderFailsInline()
    {
        JobRunner runner;
        auto page = makePage(runner);
        const QString out = m_dir.filePath("taken");
        QVERIFY(QDir().mkpath(out));
        QFile keep(out + "/keep.txt");
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.close();
        QSignalSpy failed(page.get(), &ConvertPage::jobFailed);
        page->exportTo(out);
        QVERIFY(failed.wait(60000));
        QVERIFY2(page->errorText().contains("taken"), qPrintable(page->errorText()));
        QVERIFY2(!page->errorText().contains("--force"), "a GUI message must not point at a CLI flag");
        QVERIFY(page->successText().isEmpty());
        QVERIFY(!page->isBusy());
        QVERIFY(QFile::exists(out + "/keep.txt"));
        QVERIFY(!QFile::exists(out + "/config.json"));
    }

    // What the export dialog does once the user has confirmed replacing a folder: a model folder is replaced.
    void exportReplacingAFolderReplacesIt()
    {
        JobRunner runner;
        auto page = makePage(runner);
        const QString out = m_dir.filePath("replaced");
        QVERIFY(QDir().mkpath(out));
        for (const QString& name : { QStringLiteral("old.txt"), QStringLiteral("config.json") }) {
            QFile old(out + "/" + name);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("{}");
        }
        page->setMaxLength(256);
        QSignalSpy exported(page.get(), &ConvertPage::exportFinished);
        page->exportTo(out, true);
        QVERIFY(exported.wait(60000));
        QVERIFY2(page->errorText().isEmpty(), qPrintable(page->errorText()));
        QVERIFY(!QFile::exists(out + "/old.txt"));
        QCOMPARE(readJson(out + "/config.json")["max_position_embeddings"].get<int>(), 256);
    }

    // Any other folder is refused by the engine even when the user asked to replace it (--force in the CLI).
    void exportReplacingAFolderOfOtherThingsFailsInline()
    {
        JobRunner runner;
        auto page = makePage(runner);
        const QString out = m_dir.filePath("documents");
        QVERIFY(QDir().mkpath(out + "/photos"));
        QFile letter(out + "/letter.txt");
        QVERIFY(letter.open(QIODevice::WriteOnly));
        letter.close();
        QSignalSpy failed(page.get(), &ConvertPage::jobFailed);
        page->exportTo(out, true);
        QVERIFY(failed.wait(60000));
        QVERIFY2(page->errorText().contains("letter.txt"), qPrintable(page->errorText()));
        QVERIFY2(page->errorText().contains("photos"), qPrintable(page->errorText()));
        QVERIFY(QFile::exists(out + "/letter.txt"));
        QVERIFY(QDir(out + "/photos").exists());
        QVERIFY(!QFile::exists(out + "/config.json"));
    }

    // Export… asks for a folder and a new folder's name; an existing model folder chosen with the name left empty
    // is replaced only after "Replace folder?" is answered Yes (Cancel keeps the dialog and the folder).
    void exportDialogReplacesAModelFolderAfterAsking()
    {
        JobRunner runner;
        auto page = makePage(runner);
        page->setMaxLength(256);
        QVERIFY(waitForPreview(*page, 256, 2));
        const QString out = m_dir.filePath("chosen");
        QVERIFY(QDir().mkpath(out));
        writeFile(out + "/config.json");
        writeFile(out + "/old.txt");

        QStringList seen;
        whenModal<ExportFolderDialog>([&](ExportFolderDialog* dialog) {
            seen << dialog->findChild<QLineEdit*>("exportName")->text();
            dialog->findChild<QLineEdit*>("exportFolder")->setText(out);
            dialog->findChild<QLineEdit*>("exportName")->clear();
            seen << dialog->statusText();
            whenModal<QMessageBox>([&, dialog](QMessageBox* question) {
                seen << question->windowTitle();
                question->button(QMessageBox::Cancel)->click();
                // Cancelled: the dialog is still there, the folder untouched; asked again, Yes replaces it.
                seen << (dialog->isVisible() ? "dialog kept" : "dialog closed");
                whenModal<QMessageBox>([](QMessageBox* again) { again->button(QMessageBox::Yes)->click(); });
                QTimer::singleShot(0, dialog->exportButton(), &QPushButton::click);
            });
            dialog->exportButton()->click();
        });
        QSignalSpy exported(page.get(), &ConvertPage::exportFinished);
        page->findChild<QPushButton*>("export")->click();
        QVERIFY(exported.wait(60000));
        QCOMPARE(seen.size(), 4);
        QCOMPARE(seen[0], QStringLiteral("tiny-sparse"));
        QVERIFY2(seen[1].startsWith("Replaces") && seen[1].contains("2 item"), qPrintable(seen[1]));
        QCOMPARE(seen[2], QStringLiteral("Replace folder?"));
        QCOMPARE(seen[3], QStringLiteral("dialog kept"));
        QVERIFY(!QFile::exists(out + "/old.txt"));
        QCOMPARE(readJson(out + "/config.json")["max_position_embeddings"].get<int>(), 256);
    }

    // The dialog says where the export goes as the fields change, and refuses what the engine would refuse: a
    // folder of other things, the source folder; a new name inside any folder is fine.
    void exportDialogSaysWhereAndRefuses()
    {
        JobRunner runner;
        auto page = makePage(runner);
        const QString documents = m_dir.filePath("papers");
        QVERIFY(QDir().mkpath(documents + "/photos"));
        writeFile(documents + "/letter.txt");
        QStringList statuses;
        QList<bool> enabled;
        whenModal<ExportFolderDialog>([&](ExportFolderDialog* dialog) {
            auto record = [&] {
                statuses << dialog->statusText();
                enabled << dialog->exportButton()->isEnabled();
            };
            dialog->setFolder(documents);
            dialog->setName("");
            record();
            dialog->setFolder(m_dir.filePath("tiny"));
            record();
            dialog->setFolder(documents);
            dialog->setName("fresh");
            record();
            dialog->setName("a/b");
            record();
            dialog->reject();
        });
        page->findChild<QPushButton*>("export")->click();
        QCOMPARE(statuses.size(), 4);
        QVERIFY2(
            statuses[0].startsWith("Cannot export there") && statuses[0].contains("photos"), qPrintable(statuses[0]));
        QVERIFY2(statuses[1].contains("source folder"), qPrintable(statuses[1]));
        QCOMPARE(statuses[2],
            QStringLiteral("Creates the new folder %1.").arg(QDir::toNativeSeparators(documents + "/fresh")));
        QVERIFY2(statuses[3].contains("single name"), qPrintable(statuses[3]));
        QCOMPARE(enabled, (QList<bool> { false, false, true, false }));
        QVERIFY(!page->isBusy());
        QVERIFY(!QDir(documents + "/fresh").exists());
        QVERIFY(QFile::exists(documents + "/letter.txt"));
    }

    // The comparison runs at the converted length, with the text repeated to fill it, says so, and marks its
    // results stale when the settings or the text change.
    void compareRunsAtTheConvertedLength()
    {
        JobRunner runner;
        auto page = makePage(runner);
        page->setMaxLength(256);
        QVERIFY(waitForPreview(*page, 256, 2));
        const QString sentence = QStringLiteral("Sparse attention reads long documents in blocks of tokens.");
        page->setSampleText(sentence);
        QSignalSpy compared(page.get(), &ConvertPage::compareFinished);
        page->compare();
        QVERIFY(compared.wait(60000));
        DriftPanel* panel = page->driftPanel();
        const QString note = panel->noteText();
        const auto textTokens = m_model.tokenizer->encode(sentence.toStdString()).size();
        QVERIFY(textTokens < 256);
        QVERIFY2(note.startsWith("Run at 256 tokens, the converted length")
                && note.contains(QStringLiteral("the sample text (%1 tokens) repeated").arg(textTokens))
                && note.contains("cut to 256") && note.contains("over 256 real tokens"),
            qPrintable(note));
        QVERIFY(panel->warningText().isEmpty());
        // Local windows of 2 blocks at 256 tokens: the first layer's output moves.
        QVERIFY(page->driftModel()->rows()[0].maxAbsDiff > 1e-4);
        auto* stale = panel->findChild<QLabel*>("driftStale");
        QVERIFY(!stale->isVisibleTo(panel));

        page->setSeed(9);
        QVERIFY(panel->isStale());
        QVERIFY(stale->isVisibleTo(panel));
        QVERIFY2(stale->text().contains("settings changed"), qPrintable(stale->text()));
        QVERIFY(!panel->findChild<QTableView*>("driftTable")->isEnabled());
        QVERIFY(waitForPreview(*page, 256, 2));
        page->compare();
        QVERIFY(compared.wait(60000));
        QVERIFY(!panel->isStale());
        QVERIFY(panel->findChild<QTableView*>("driftTable")->isEnabled());
        page->setSampleText(QStringLiteral("Another text."));
        QVERIFY(panel->isStale());
        QVERIFY2(stale->text().contains("sample text changed"), qPrintable(stale->text()));
    }

    // A layout that covers every block at the comparison's length is said to be dense there (and the drift is nil,
    // which shows it); padding instead of repeating is said too.
    void denseLayoutAtTheLengthIsWarned()
    {
        JobRunner runner;
        auto page = makePage(runner);
        SparsityConfig wide = fixedConfig();
        wide.numLocalBlocks = 16; // one window of 256 tokens
        page->setSparsity(wide, "wide");
        page->setMaxLength(256);
        QVERIFY(waitForPreview(*page, 256, 2));
        page->driftPanel()->setFill(DriftFill::Pad);
        page->setSampleText(QStringLiteral("A short text to pad."));
        QSignalSpy compared(page.get(), &ConvertPage::compareFinished);
        page->compare();
        QVERIFY(compared.wait(60000));
        const QString warning = page->driftPanel()->warningText();
        QVERIFY2(warning.startsWith("At 256 tokens") && warning.contains("covers every block"), qPrintable(warning));
        for (const DriftRow& row : page->driftModel()->rows())
            QVERIFY2(row.maxAbsDiff < 1e-5, qPrintable(row.output));
        const auto textTokens = m_model.tokenizer->encode("A short text to pad.").size();
        const QString note = page->driftPanel()->noteText();
        QVERIFY2(note.contains(QStringLiteral("the sample text (%1 tokens) padded to 256").arg(textTokens))
                && note.contains(QStringLiteral("over %1 real tokens").arg(textTokens)),
            qPrintable(note));
    }

    void compareFillsDrift()
    {
        JobRunner runner;
        auto page = makePage(runner);
        QAbstractItemModelTester tester(page->driftModel());
        page->setMaxLength(256);
        page->setUseSparsity(false);
        QVERIFY(waitForPreview(*page, 256, 0));
        QSignalSpy compared(page.get(), &ConvertPage::compareFinished);
        QSignalSpy progressed(&runner, &JobRunner::jobProgressed);
        page->compare();
        QVERIFY(compared.wait(60000));
        // The bar moves through the stages and is never full before the comparison has finished.
        QList<float> fractions;
        for (const QList<QVariant>& call : std::as_const(progressed))
            if (call.at(0).toString() == QStringLiteral("convert"))
                fractions << call.at(1).toFloat();
        QVERIFY(fractions.size() >= 3);
        QVERIFY2(*std::max_element(fractions.begin(), fractions.end()) < 1.0f, "reached 100 % before finishing");
        QVERIFY(fractions.last() >= 0.9f);
        const QVector<DriftRow>& dense = page->driftModel()->rows();
        // Each of the two layers' hidden states, then last_hidden_state and the masked-LM logits.
        QCOMPARE(int(dense.size()), 4);
        QCOMPARE(dense[0].output, QStringLiteral("layer 0"));
        QCOMPARE(dense[1].output, QStringLiteral("layer 1"));
        QCOMPARE(dense[2].output, QStringLiteral("last_hidden_state"));
        QCOMPARE(dense[3].output, QStringLiteral("logits"));
        for (const DriftRow& row : dense) {
            QVERIFY2(row.maxAbsDiff < 1e-5, qPrintable(QString::number(row.maxAbsDiff)));
            QVERIFY(row.cosine > 0.999999);
        }

        // Block-sparse attention over a text longer than one local window moves the outputs.
        page->setUseSparsity(true);
        QVERIFY(waitForPreview(*page, 256, 2));
        page->compare();
        QVERIFY(compared.wait(60000));
        const QVector<DriftRow>& sparse = page->driftModel()->rows();
        QCOMPARE(int(sparse.size()), 4);
        // The first sparse layer already drifts, and drift carries to the output; the last layer's hidden state is
        // BERT's last_hidden_state, so their rows agree.
        QVERIFY(sparse[0].maxAbsDiff > 1e-4);
        QVERIFY(sparse[0].cosine < 1.0);
        QCOMPARE(sparse[1].maxAbsDiff, sparse[2].maxAbsDiff);
        QCOMPARE(sparse[1].cosine, sparse[2].cosine);
        QCOMPARE(page->driftModel()->index(0, DriftTableModel::MaxColumn).data(DriftTableModel::ValueRole).toDouble(),
            sparse[0].maxAbsDiff);
    }

    // Quality on the held-out text shipped with the workbench, said so: the original at its own 128 tokens (the
    // same numbers as the engine's evaluation of the loaded model as it is), the extension alone and the conversion
    // at 256, on the same masked tokens; results go stale when the settings or the text change.
    void qualityOnTheShippedText()
    {
        JobRunner runner;
        auto page = makePage(runner);
        QualityPanel* panel = page->qualityPanel();
        QAbstractItemModelTester tester(panel->model());
        QVERIFY(panel->messageText().isEmpty());
        panel->picker()->setMaxTokens(600);
        page->setMaxLength(256);
        QVERIFY(waitForPreview(*page, 256, 2));
        QVERIFY(panel->measureButton()->isEnabled());
        QVERIFY(measure(*page));
        QVERIFY2(panel->messageText().isEmpty(), qPrintable(panel->messageText()));
        const QVector<QualityRow>& rows = panel->model()->rows();
        QCOMPARE(int(rows.size()), 3);
        QCOMPARE(rows[0].name, QStringLiteral("original"));
        QCOMPARE(rows[0].length, std::int64_t(128));
        QCOMPARE(rows[1].length, std::int64_t(256));
        QCOMPARE(rows[2].name, QStringLiteral("converted"));
        QCOMPARE(rows[2].length, std::int64_t(256));
        for (const QualityRow& row : rows) {
            QCOMPARE(row.tokens, rows[0].tokens);
            QVERIFY(row.loss > 0 && row.accuracy >= 0 && row.accuracy <= 1);
        }
        QVERIFY(rows[0].tokens > 40);
        QVERIFY2(panel->noteText().contains("held-out text shipped with the workbench")
                && panel->noteText().contains("its first 600 tokens"),
            qPrintable(panel->noteText()));

        const TokenizedText text = tokenizeQualityText(QualityTextChoice { {}, 600 }, *m_model.tokenizer);
        QCOMPARE(text.tokenCount, std::int64_t(600));
        const EvaluationResult asIs = evaluateMaskedLm(*m_model.model, *m_model.tokenizer, text, {}).front();
        QCOMPARE(rows[0].tokens, asIs.tokens);
        QCOMPARE(rows[0].loss, asIs.loss);
        QCOMPARE(rows[0].accuracy, asIs.accuracy);
        QCOMPARE(panel->model()->index(0, QualityTableModel::LossColumn).data(QualityTableModel::ValueRole).toDouble(),
            asIs.loss);

        auto* stale = panel->findChild<QLabel*>("qualityStale");
        QVERIFY(!panel->isStale());
        page->setSeed(4);
        QVERIFY(panel->isStale());
        QVERIFY2(stale->text().contains("settings changed"), qPrintable(stale->text()));
        QVERIFY(waitForPreview(*page, 256, 2));
        QVERIFY(measure(*page));
        QVERIFY(!panel->isStale());
        panel->picker()->setMaxTokens(700);
        QVERIFY(panel->isStale());
        QVERIFY2(stale->text().contains("text changed"), qPrintable(stale->text()));
    }

    // Cancel while the quality is measured, from the page's Cancel and from the status bar's (which cancels the
    // runner's jobs without telling the page): the job stops well before a full measurement would have, nothing it
    // measured is shown (a first measurement leaves the table empty and says it was cancelled; earlier results stay
    // as they were, marked stale), the page is ready again, and measuring again runs to the end.
    void qualityCancelStopsTheMeasurement()
    {
        JobRunner runner;
        auto page = makePage(runner);
        QualityPanel* panel = page->qualityPanel();
        page->setMaxLength(256);
        QVERIFY(waitForPreview(*page, 256, 2));
        auto* cancel = page->findChild<QPushButton*>(QStringLiteral("cancelJob"));
        QVERIFY(cancel);
        QSignalSpy finished(page.get(), &ConvertPage::qualityFinished);
        QSignalSpy failed(page.get(), &ConvertPage::jobFailed);
        QSignalSpy progressed(&runner, &JobRunner::jobProgressed);
        // The whole shipped text: many forward passes, so that a cancel lands mid-way.
        const int wholeText = panel->picker()->budgetBox()->maximum();
        auto startAndWaitForScoring = [&] {
            progressed.clear();
            page->measureQuality();
            // Past reading the text (its first 5 %): the models are scoring.
            return page->isBusy()
                && QTest::qWaitFor(
                    [&] {
                        return std::any_of(progressed.begin(), progressed.end(), [](const QList<QVariant>& call) {
                            return call.at(0).toString() == QStringLiteral("convert") && call.at(1).toFloat() > 0.06f;
                        });
                    },
                    60000);
        };
        QElapsedTimer clock;

        // A first measurement, cancelled with the page's button.
        panel->picker()->setMaxTokens(wholeText);
        QVERIFY(startAndWaitForScoring());
        QVERIFY(cancel->isVisibleTo(page.get()));
        QVERIFY(!panel->measureButton()->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        clock.start();
        QVERIFY(!page->isBusy());
        QVERIFY(!cancel->isVisibleTo(page.get()));
        QVERIFY(panel->measureButton()->isEnabled());
        QVERIFY(QTest::qWaitFor([&] { return !runner.isBusy(); }, 60000));
        const qint64 stoppedAfter = clock.elapsed();
        QTest::qWait(50);
        QVERIFY(finished.isEmpty());
        QVERIFY(failed.isEmpty());
        QVERIFY(panel->model()->rows().isEmpty());
        QVERIFY2(panel->noteText().contains("Cancelled"), qPrintable(panel->noteText()));
        QVERIFY2(panel->messageText().isEmpty(), qPrintable(panel->messageText()));
        QVERIFY(page->errorText().isEmpty());

        // Earlier results, made stale by a new budget, then a measurement cancelled from the status bar.
        panel->picker()->setMaxTokens(600);
        QVERIFY(measure(*page));
        const QVector<QualityRow> earlier = panel->model()->rows();
        const QString earlierNote = panel->noteText();
        QCOMPARE(int(earlier.size()), 3);
        panel->picker()->setMaxTokens(wholeText);
        QVERIFY(panel->isStale());
        finished.clear();
        QVERIFY(startAndWaitForScoring());
        runner.cancelAll();
        QVERIFY(QTest::qWaitFor([&] { return !page->isBusy() && !runner.isBusy(); }, 60000));
        QTest::qWait(50);
        QVERIFY(finished.isEmpty());
        QVERIFY(failed.isEmpty());
        QVERIFY(panel->isStale());
        QCOMPARE(panel->noteText(), earlierNote);
        QCOMPARE(int(panel->model()->rows().size()), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(panel->model()->rows()[i].tokens, earlier[i].tokens);
            QCOMPARE(panel->model()->rows()[i].loss, earlier[i].loss);
        }
        QVERIFY(panel->measureButton()->isEnabled());

        // Measured again, the same measurement runs to the end, current; it takes far longer than the cancels took
        // to stop.
        clock.start();
        QVERIFY(measure(*page));
        const qint64 fullRun = clock.elapsed();
        QCOMPARE(finished.size(), 1);
        QVERIFY(!panel->isStale());
        QVERIFY2(panel->noteText().contains("all its"), qPrintable(panel->noteText()));
        QVERIFY(panel->model()->rows()[0].tokens > earlier[0].tokens);
        QVERIFY2(stoppedAfter * 4 < fullRun,
            qPrintable(QStringLiteral("stopped after %1 ms, a full run takes %2 ms").arg(stoppedAfter).arg(fullRun)));
    }

    // A chosen file that cannot be scored is said inline under the button, and nothing is left running.
    void qualityTextMistakesAreShownInline_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray(" \n\n") << QStringLiteral("gives no tokens");
        QTest::newRow("binary") << QByteArray("\x7f"
                                              "ELF\0\0\x02",
            7) << QStringLiteral("not a text file");
        QTest::newRow("missing") << QByteArray() << QStringLiteral("missing.txt");
    }
    void qualityTextMistakesAreShownInline()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        JobRunner runner;
        auto page = makePage(runner);
        QVERIFY(waitForPreview(*page, 256, 2));
        QString path = m_dir.filePath(QStringLiteral("missing.txt"));
        if (!bytes.isEmpty()) {
            path = m_dir.filePath(QStringLiteral("%1.txt").arg(QTest::currentDataTag()));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(bytes);
        }
        page->qualityPanel()->picker()->setPath(path);
        QVERIFY(measure(*page));
        const QString message = page->qualityPanel()->messageText();
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY(page->qualityPanel()->model()->rows().isEmpty());
        QVERIFY(page->qualityPanel()->measureButton()->isEnabled());
    }

    // A model without a masked-LM head: the quality panel says why it cannot measure and keeps its button off; the
    // drift still compares.
    void qualityNeedsAMaskedLmHead()
    {
        LoadedModel bare = m_model;
        bare.model = bareEncoder(*m_model.model, {});
        JobRunner runner;
        auto page = std::make_unique<ConvertPage>(&runner);
        page->setSparsity(fixedConfig(), "fixed");
        page->setSampleText(longText());
        QSignalSpy shown(page.get(), &ConvertPage::previewShown);
        page->setModel(bare);
        QVERIFY(shown.wait(30000));
        QualityPanel* panel = page->qualityPanel();
        QVERIFY2(panel->messageText().contains("masked-LM checkpoint (BertForMaskedLM or RobertaForMaskedLM)")
                && panel->messageText().contains("BertModel") && panel->messageText().contains("drift"),
            qPrintable(panel->messageText()));
        QVERIFY(!panel->measureButton()->isEnabled());
        QSignalSpy compared(page.get(), &ConvertPage::compareFinished);
        page->compare();
        QVERIFY(compared.wait(60000));
        QVERIFY(!page->driftModel()->rows().isEmpty());
        QVERIFY(panel->messageText().contains("masked-LM checkpoint"));
    }
};

QTEST_MAIN(TestConvertPage)
#include "test_convert_page.moc"
