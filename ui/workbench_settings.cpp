#include "workbench_settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace spw::ui {

QSettings workbenchSettings()
{
    // The workbench sets no organization (it would add a level to the cache folder the demo model lives in); its
    // settings then go under the application's own name rather than Qt's "Unknown Organization".
    const QString organization = QCoreApplication::organizationName();
    return QSettings(organization.isEmpty() ? QCoreApplication::applicationName() : organization,
        QCoreApplication::applicationName());
}

QString dialogFolder(const QString& dialog)
{
    const QString folder = workbenchSettings().value(QStringLiteral("dialogs/") + dialog).toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::homePath();
}

void rememberDialogFolder(const QString& dialog, const QString& chosen, bool chosenIsFolder)
{
    if (chosen.isEmpty())
        return;
    const QFileInfo info(chosen);
    const QString folder = chosenIsFolder ? info.absoluteFilePath() : info.absolutePath();
    workbenchSettings().setValue(QStringLiteral("dialogs/") + dialog, QDir::cleanPath(folder));
}

QString dialogStart(const QString& dialog, const QString& fileName)
{
    const QString folder = dialogFolder(dialog);
    return fileName.isEmpty() ? folder : QDir(folder).filePath(fileName);
}

} // namespace spw::ui
