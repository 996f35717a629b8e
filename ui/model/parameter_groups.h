#pragma once
// A model's parameters grouped by module for display: Embeddings, Encoder (one child per layer), Pooler, Head;
// each group's leaves are the tensors with their shapes. Built from EncoderModel::namedParameters() names, so the
// tree adds up to parameterCount() by construction and names stay the checkpoint's own.
#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spw {
class EncoderModel;
} // namespace spw

namespace spw::ui {

struct ParameterNode {
    QString name; // "Embeddings", "Layer 3", or a tensor's name relative to its group
    QString shape; // "768 × 3072" for tensors, empty for groups
    std::int64_t count = 0; // the tensor's elements, or the sum over the children
    ParameterNode* parent = nullptr;
    std::vector<std::unique_ptr<ParameterNode>> children;

    ParameterNode* addChild(QString childName);
};

struct NamedShape {
    std::string name;
    std::vector<std::int64_t> shape;
};

// `basePrefix` ("bert."/"roberta."/"") is stripped from encoder names. The root's children are the groups that
// have parameters, in model order; the root's count is the total.
std::unique_ptr<ParameterNode> groupParameters(
    const std::vector<NamedShape>& parameters, const std::string& basePrefix);
std::unique_ptr<ParameterNode> groupParameters(const EncoderModel& model);

} // namespace spw::ui
