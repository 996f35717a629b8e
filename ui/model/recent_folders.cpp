#include "model/recent_folders.h"

#include "workbench_settings.h"

#include <QDir>
#include <QFileInfo>

namespace spw::ui {
namespace {

const QString kKey = QStringLiteral("model/recentFolders");

} // namespace

QStringList RecentFolders::folders() const
{
    QSettings settings = workbenchSettings();
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
    workbenchSettings().setValue(kKey, list);
}

void RecentFolders::clear()
{
    workbenchSettings().remove(kKey);
}

} // namespace spw::ui
