#pragma once
// The model folders opened recently, newest first, kept in QSettings under "model/recentFolders". Folders that
// no longer exist are pruned whenever the list is read.
#include <QStringList>

namespace spw::ui {

class RecentFolders {
public:
    static constexpr int kMaximum = 8;

    QStringList folders() const; // existing folders only; the stored list is pruned to them
    void add(const QString& folder);
    void clear();
};

} // namespace spw::ui
