#include "model/recent_folders.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace spw::ui {
namespace {

const QString kKey = QStringLiteral("model/recentFolders");

// The workbench sets no organization (it would add a level to the cache folder the demo model lives in); its
// settings then go under the application's own name rather than Qt's "Unknown Organization".
QSettings openSettings()
{
    const QString organization = QCoreApplication::organizationName();
    return QSettings(organization.isEmpty() ? QCoreApplication::applicationName() : organization,
        QCoreApplication::applicationName());
}

} // namespace

QStringList RecentFolders::folders() const
{
    QSettings settings = openSettings();
    const QStringList stored = settings.value(kKey).toStringList();
    QStringList existing;
    for (const QString& folder : stored)
        if (QFileInfo(folder).isDir())
            existing.append(folder);
    if (existing != stored)
        settings.setValue(kKey, existing);
    return existing;
}

void RecentFolders::add(const QString& folder)
{
    const QString canonical = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    QStringList list = folders();
    list.removeAll(canonical);
    list.prepend(canonical);
    while (list.size() > kMaximum)
        list.removeLast();
    openSettings().setValue(kKey, list);
}

void RecentFolders::clear()
{
    openSettings().remove(kKey);
}

} // namespace spw::ui
