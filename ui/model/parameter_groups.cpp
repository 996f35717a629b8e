#include "model/parameter_groups.h"

#include "model/encoder_model.h"

#include <QRegularExpression>

#include <map>

namespace spw::ui {
namespace {

QString formatShape(const std::vector<std::int64_t>& shape)
{
    QStringList parts;
    for (std::int64_t size : shape)
        parts.append(QString::number(size));
    return parts.join(QStringLiteral(" × "));
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape)
{
    std::int64_t count = 1;
    for (std::int64_t size : shape)
        count *= size;
    return count;
}

void sumCounts(ParameterNode& node)
{
    if (node.children.empty())
        return;
    node.count = 0;
    for (auto& child : node.children) {
        sumCounts(*child);
        node.count += child->count;
    }
}

} // namespace

ParameterNode* ParameterNode::addChild(QString childName)
{
    auto child = std::make_unique<ParameterNode>();
    child->name = std::move(childName);
    child->parent = this;
    children.push_back(std::move(child));
    return children.back().get();
}

std::unique_ptr<ParameterNode> groupParameters(const std::vector<NamedShape>& parameters, const std::string& basePrefix)
{
    static const QRegularExpression layerName(QStringLiteral("^encoder\\.layer\\.(\\d+)\\.(.+)$"));
    auto root = std::make_unique<ParameterNode>();
    root->name = QStringLiteral("Model");
    // Groups are created on first use so that the order follows the model's own listing.
    std::map<QString, ParameterNode*> groups;
    std::map<int, ParameterNode*> layers;
    auto group = [&](const QString& name) {
        auto found = groups.find(name);
        if (found != groups.end())
            return found->second;
        return groups[name] = root->addChild(name);
    };

    for (const NamedShape& parameter : parameters) {
        QString name = QString::fromStdString(parameter.name);
        const bool encoderTensor = !basePrefix.empty() && parameter.name.compare(0, basePrefix.size(), basePrefix) == 0;
        if (encoderTensor)
            name = name.mid(int(basePrefix.size()));
        ParameterNode* parent = nullptr;
        QString leafName = name;
        if (const auto match = layerName.match(name); match.hasMatch() && (encoderTensor || basePrefix.empty())) {
            const int index = match.captured(1).toInt();
            ParameterNode*& layer = layers[index];
            if (!layer)
                layer = group(QStringLiteral("Encoder"))->addChild(QStringLiteral("Layer %1").arg(index));
            parent = layer;
            leafName = match.captured(2);
        } else if (name.startsWith(QStringLiteral("embeddings.")) && (encoderTensor || basePrefix.empty())) {
            parent = group(QStringLiteral("Embeddings"));
            leafName = name.mid(int(qstrlen("embeddings.")));
        } else if (name.startsWith(QStringLiteral("pooler.")) && (encoderTensor || basePrefix.empty())) {
            parent = group(QStringLiteral("Pooler"));
            leafName = name.mid(int(qstrlen("pooler.")));
        } else {
            // The head's tensors (cls.*, lm_head.*, classifier.*) carry no encoder prefix.
            parent = group(QStringLiteral("Head"));
        }
        ParameterNode* leaf = parent->addChild(leafName);
        leaf->shape = formatShape(parameter.shape);
        leaf->count = elementCount(parameter.shape);
    }
    sumCounts(*root);
    return root;
}

std::unique_ptr<ParameterNode> groupParameters(const EncoderModel& model)
{
    std::vector<NamedShape> parameters;
    for (const auto& [name, tensor] : model.namedParameters())
        parameters.push_back({ name, tensor.sizes().vec() });
    return groupParameters(parameters, model.basePrefix());
}

} // namespace spw::ui
