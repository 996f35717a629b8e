#include "main_window.h"

#include "convert/convert_page.h"
#include "designer/layout_designer_page.h"
#include "job_runner.h"
#include "model/model_page.h"
#include "model/model_sparsity.h"
#include "model/token_view.h"
#include "profile/profile_page.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>

namespace spw::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_runner(new JobRunner(this))
{
    setWindowTitle(tr("Sparse Attention Workbench"));
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    m_modelPage = new ModelPage(m_runner, m_tabs);
    m_layoutPage = new LayoutDesignerPage(m_runner, m_tabs);
    m_convertPage = new ConvertPage(m_runner, m_tabs);
    m_profilePage = new ProfilePage(m_runner, m_tabs);
    m_tabs->addTab(m_modelPage, tr("Model"));
    m_tabs->addTab(m_layoutPage, tr("Layout designer"));
    m_tabs->addTab(m_convertPage, tr("Convert && export"));
    m_tabs->addTab(m_profilePage, tr("Profile"));

    m_status = new QLabel(tr("Ready"), this);
    statusBar()->addWidget(m_status, 1);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(180);
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, m_runner, &JobRunner::cancelAll);

    connect(m_runner, &JobRunner::jobStarted, this, &MainWindow::onJobStarted);
    connect(m_runner, &JobRunner::jobProgressed, this,
        [this](const QString&, float fraction) { onJobProgressed(fraction); });
    connect(m_runner, &JobRunner::becameIdle, this, &MainWindow::onIdle);
    connect(m_layoutPage, &LayoutDesignerPage::configSaved, this,
        [this](const QString& path) { m_status->setText(tr("Saved %1").arg(path)); });

    // The Model page shows tokens in the designer's blocks, and Convert & export offers the designer's
    // configuration; the designer applied its first one before these connections existed.
    connect(m_layoutPage, &LayoutDesignerPage::configApplied, this,
        [this](const SparsityConfig& config, const QString& name) {
            m_modelPage->setBlockSize(config.block);
            m_convertPage->setSparsity(config, name);
        });
    m_modelPage->setBlockSize(m_layoutPage->input().config.block);
    m_convertPage->setSparsity(m_layoutPage->input().config, m_layoutPage->configName());
    // The designer draws at the open model's heads and length, and opens a converted model's own layout.
    connect(m_modelPage, &ModelPage::modelLoaded, m_layoutPage, &LayoutDesignerPage::followModel);
    connect(m_modelPage, &ModelPage::sparsityOpened, this, [this](const ModelSparsity& sparsity) {
        m_layoutPage->openModelSparsity(sparsity);
        m_tabs->setCurrentWidget(m_layoutPage);
    });
    // Convert & export works on the model the Model page has open, and compares on its text.
    connect(m_modelPage, &ModelPage::modelLoaded, m_convertPage, &ConvertPage::setModel);
    connect(m_modelPage->tokenView(), &TokenView::tokensShown, this,
        [this] { m_convertPage->setSampleText(m_modelPage->tokenView()->text()); });
    m_convertPage->setSampleText(m_modelPage->tokenView()->text());

    // The Profile page sweeps the open model and offers the designer's configuration among its layouts.
    connect(m_modelPage, &ModelPage::modelLoaded, m_profilePage,
        [this](const LoadedModel& model) { m_profilePage->setModel(model); });
    connect(m_layoutPage, &LayoutDesignerPage::configApplied, m_profilePage,
        [this](const SparsityConfig& config, const QString& name) { m_profilePage->setDesignerConfig(config, name); });
    m_profilePage->setDesignerConfig(m_layoutPage->input().config, m_layoutPage->configName());
}

MainWindow::~MainWindow() = default;

QStringList MainWindow::pageNames()
{
    return { QStringLiteral("model"), QStringLiteral("layout"), QStringLiteral("convert"), QStringLiteral("profile") };
}

bool MainWindow::selectPage(const QString& name)
{
    const int index = int(pageNames().indexOf(name));
    if (index < 0)
        return false;
    m_tabs->setCurrentIndex(index);
    return true;
}

QString MainWindow::currentPageName() const
{
    return pageNames().value(m_tabs->currentIndex());
}

void MainWindow::onJobStarted()
{
    m_status->setText(tr("Working…"));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
}

void MainWindow::onJobProgressed(float fraction)
{
    m_progress->setValue(int(fraction * 100.f));
}

void MainWindow::onIdle()
{
    m_progress->hide();
    m_cancel->hide();
    m_status->setText(tr("Ready"));
}

} // namespace spw::ui
