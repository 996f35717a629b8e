#include "app_startup.h"

#include "convert/convert_page.h"
#include "designer/layout_designer_page.h"
#include "job_runner.h"
#include "main_window.h"
#include "model/model_page.h"
#include "model/recent_folders.h"
#include "presets.h"
#include "profile/profile_page.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace spw::ui {
namespace {

int usageError(const QString& message)
{
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
    return 2;
}

// Writes the window to `path` once the job runner has nothing left to deliver. A model given with --model that
// did not load fails like any other bad input, rather than documenting an error.
void screenshotWhenIdle(MainWindow& window, const QString& path, bool modelGiven)
{
    auto capture = [&window, path, modelGiven] {
        if (window.jobRunner()->isBusy())
            return; // a job that a finished one started (quality after the comparison): the next idle captures
        if (modelGiven && !window.modelPage()->model().isValid()) {
            QCoreApplication::exit(usageError(QStringLiteral("--model: %1").arg(window.modelPage()->errorText())));
            return;
        }
        // Lets queued replots and layouts run before the window is grabbed.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        if (!window.grab().save(path, "PNG")) {
            usageError(QStringLiteral("--screenshot: cannot write '%1'").arg(path));
            QCoreApplication::exit(2);
            return;
        }
        QCoreApplication::exit(0);
    };
    QObject::connect(window.jobRunner(), &JobRunner::becameIdle, &window, capture, Qt::QueuedConnection);
    if (!window.jobRunner()->isBusy())
        QTimer::singleShot(0, &window, capture);
}

} // namespace

int runWorkbench(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("sparse-workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("Sparse Attention Workbench"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    initResources();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Block-sparse attention workbench for BERT and RoBERTa."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(
        QStringLiteral("model"), QStringLiteral("Checkpoint folder to open."), QStringLiteral("DIR"));
    const QCommandLineOption sparsity(QStringLiteral("sparsity"),
        QStringLiteral("Sparsity configuration (ds_config JSON) to open."), QStringLiteral("CONFIG.json"));
    const QCommandLineOption page(QStringLiteral("page"),
        QStringLiteral("Page to show: %1.").arg(MainWindow::pageNames().join(", ")), QStringLiteral("NAME"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Render the window after loading, write it and exit."), QStringLiteral("FILE.png"));
    parser.addOptions({ model, sparsity, page, screenshot });
    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    if (parser.isSet(page) && !MainWindow::pageNames().contains(parser.value(page)))
        return usageError(QStringLiteral("--page: unknown page '%1' (expected %2)")
                              .arg(parser.value(page), MainWindow::pageNames().join(", ")));
    if (parser.isSet(model) && !QFileInfo(parser.value(model)).isDir())
        return usageError(QStringLiteral("--model: '%1' is not a folder").arg(parser.value(model)));

    MainWindow window;
    window.resize(1440, 900);
    // A screenshot documents the workbench as it starts for anyone, not as this user left it.
    const bool restore = !parser.isSet(screenshot);
    if (restore)
        window.restoreSession();
    if (parser.isSet(sparsity) && !window.layoutPage()->openConfig(parser.value(sparsity)))
        return usageError(QStringLiteral("--sparsity: %1").arg(window.layoutPage()->errorText()));
    // Without --model the workbench reopens the last model folder, else (or if that fails to load) the built-in
    // demo model (created in the cache on first start).
    const QString lastFolder = restore ? RecentFolders().folders().value(0) : QString();
    if (parser.isSet(model)) {
        window.modelPage()->openFolder(parser.value(model));
    } else if (!lastFolder.isEmpty()) {
        // Falls back to the demo only for this first load: a later folder that fails leaves the open model alone.
        auto fallback = std::make_shared<QMetaObject::Connection>();
        *fallback
            = QObject::connect(window.modelPage(), &ModelPage::loadFailed, window.modelPage(), [&window, fallback] {
                  QObject::disconnect(*fallback);
                  window.modelPage()->openDemoModel();
              });
        QObject::connect(
            window.modelPage(), &ModelPage::modelLoaded, window.modelPage(),
            [fallback] { QObject::disconnect(*fallback); }, Qt::SingleShotConnection);
        window.modelPage()->openFolder(lastFolder);
    } else {
        window.modelPage()->openDemoModel();
    }
    if (parser.isSet(page))
        window.selectPage(parser.value(page));
    // A screenshot of Convert & export documents a comparison and the masked-LM quality too: the comparison runs
    // once the first preview is in, the quality (its tab shown) once the comparison is done.
    if (parser.isSet(screenshot) && window.currentPageName() == QLatin1String("convert")) {
        QObject::connect(window.convertPage(), &ConvertPage::previewShown, window.convertPage(), &ConvertPage::compare,
            Qt::SingleShotConnection);
        QObject::connect(window.convertPage(), &ConvertPage::compareFinished, window.convertPage(),
            &ConvertPage::measureQuality, Qt::SingleShotConnection);
    }

    if (parser.isSet(screenshot)) {
        window.show();
        // A sweep restored with quality is documented by its speed-vs-quality plot, below the four others.
        if (window.currentPageName() == QLatin1String("profile"))
            QMetaObject::invokeMethod(window.profilePage(), &ProfilePage::revealQualityPlot, Qt::QueuedConnection);
        screenshotWhenIdle(window, parser.value(screenshot), parser.isSet(model));
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}

} // namespace spw::ui
