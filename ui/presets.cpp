#include "presets.h"

#include "common/error.h"
#include "common/file_reading.h"

#include <QDir>
#include <QFile>
#include <nlohmann/json.hpp>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initWorkbenchResources()
{
    Q_INIT_RESOURCE(workbench);
}

namespace spw::ui {

void initResources()
{
    initWorkbenchResources();
}

QStringList presetNames()
{
    QStringList names;
    const QStringList files
        = QDir(QStringLiteral(":/presets")).entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    for (const QString& file : files)
        names << file.chopped(5);
    return names;
}

SparsityConfig loadPreset(const QString& name)
{
    QFile file(QStringLiteral(":/presets/%1.json").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        fail("preset '{}' not found", name.toStdString());
    const QByteArray bytes = file.readAll();
    return sparsityConfigFromJson(parseJson(std::string_view(bytes.constData(), std::size_t(bytes.size())),
        fmt::format("preset '{}'", name.toStdString())));
}

} // namespace spw::ui
