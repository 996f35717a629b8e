#include "convert/export_folder_dialog.h"

#include "common/error.h"
#include "export/export_destination.h"
#include "export/staging_folder.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

qsizetype entryCount(const QString& folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System).size();
}

} // namespace

ExportFolderDialog::ExportFolderDialog(
    const QString& sourceDirectory, const QString& startFolder, const QString& suggestedName, QWidget* parent)
    : QDialog(parent)
    , m_source(sourceDirectory)
{
    setWindowTitle(tr("Export converted model"));
    auto* layout = new QVBoxLayout(this);
    auto* fields = new QFormLayout;
    auto* folderRow = new QHBoxLayout;
    m_folder = new QLineEdit(startFolder, this);
    m_folder->setObjectName(QStringLiteral("exportFolder"));
    m_folder->setMinimumWidth(420);
    folderRow->addWidget(m_folder, 1);
    auto* choose = new QPushButton(tr("Choose…"), this);
    choose->setObjectName(QStringLiteral("chooseExportFolder"));
    choose->setAutoDefault(false);
    connect(choose, &QPushButton::clicked, this, &ExportFolderDialog::chooseFolder);
    folderRow->addWidget(choose);
    fields->addRow(tr("In folder"), folderRow);
    m_name = new QLineEdit(suggestedName, this);
    m_name->setObjectName(QStringLiteral("exportName"));
    m_name->setPlaceholderText(tr("empty: export into the folder above, replacing it"));
    fields->addRow(tr("New folder name"), m_name);
    layout->addLayout(fields);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("exportDestination"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_export = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_export->setObjectName(QStringLiteral("confirmExport"));
    m_export->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportFolderDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportFolderDialog::reject);
    layout->addWidget(buttons);

    connect(m_folder, &QLineEdit::textChanged, this, &ExportFolderDialog::updateStatus);
    connect(m_name, &QLineEdit::textChanged, this, &ExportFolderDialog::updateStatus);
    updateStatus();
}

void ExportFolderDialog::setFolder(const QString& folder)
{
    m_folder->setText(folder);
}

void ExportFolderDialog::setName(const QString& name)
{
    m_name->setText(name);
}

QString ExportFolderDialog::destination() const
{
    const QString folder = m_folder->text().trimmed();
    const QString name = m_name->text().trimmed();
    if (folder.isEmpty())
        return {};
    return QDir::cleanPath(name.isEmpty() ? folder : QDir(folder).filePath(name));
}

bool ExportFolderDialog::replaces() const
{
    return QFileInfo(destination()).isDir();
}

QString ExportFolderDialog::statusText() const
{
    return m_status->text();
}

void ExportFolderDialog::updateStatus()
{
    const QString folder = m_folder->text().trimmed();
    const QString name = m_name->text().trimmed();
    const QString target = destination();
    const QString shown = QDir::toNativeSeparators(target);
    QString status;
    m_valid = false;
    if (folder.isEmpty()) {
        status = tr("Choose the folder to export into.");
    } else if (!QFileInfo(folder).isDir()) {
        status = tr("%1 is not a folder.").arg(QDir::toNativeSeparators(folder));
    } else if (name.contains(QLatin1Char('/')) || name.contains(QDir::separator()) || name == QLatin1String("..")
        || name == QLatin1String(".")) {
        status = tr("The new folder's name must be a single name, not a path.");
    } else if (QFileInfo(target).exists() && !QFileInfo(target).isDir()) {
        status = tr("%1 is a file: choose another name.").arg(shown);
    } else {
        try {
            checkExportDestination(m_source.toStdString(), target.toStdString());
            if (QFileInfo(target).isDir()) {
                checkReplaceableFolder(target.toStdString());
                const qsizetype entries = entryCount(target);
                status = entries == 0 ? tr("Exports into the empty folder %1.").arg(shown)
                                      : tr("Replaces %1 (a model folder of %n item(s)) once the export is complete.",
                                          nullptr, int(entries))
                                            .arg(shown);
            } else {
                status = tr("Creates the new folder %1.").arg(shown);
            }
            m_valid = true;
        } catch (const Error& error) {
            status = tr("Cannot export there: %1").arg(QString::fromStdString(error.what()));
        }
    }
    m_status->setText(status);
    m_status->setStyleSheet(
        m_valid ? QStringLiteral("QLabel { color: #1f5130; }") : QStringLiteral("QLabel { color: #8a1c1c; }"));
    m_export->setEnabled(m_valid);
}

void ExportFolderDialog::chooseFolder()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Choose the folder to export into"), m_folder->text());
    if (!folder.isEmpty())
        setFolder(folder);
}

void ExportFolderDialog::accept()
{
    updateStatus(); // the folder may have changed on disk since the fields last did
    if (!m_valid)
        return;
    const QString target = destination();
    const qsizetype entries = replaces() ? entryCount(target) : 0;
    if (entries > 0
        && QMessageBox::question(this, tr("Replace folder?"),
               tr("%1 already exists and holds %n item(s). Replace it with the exported model? Its current "
                  "contents will be deleted once the export is complete.",
                   nullptr, int(entries))
                   .arg(QDir::toNativeSeparators(target)),
               QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            != QMessageBox::Yes)
        return;
    QDialog::accept();
}

} // namespace spw::ui
