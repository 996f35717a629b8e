#include "presets.h"

#include "common/error.h"

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
    const QStringList files = QDir(QStringLiteral(":/presets")).entryList({QStringLiteral("*.json")}, QDir::Files,
                                                                           QDir::Name);
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
    try {
        return sparsityConfigFromJson(nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size()));
    } catch (const nlohmann::json::exception& error) {
        fail("preset '{}': {}", name.toStdString(), error.what());
    }
}

} // namespace spw::ui
