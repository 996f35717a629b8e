#include "quality_text.h"

#include "common/error.h"
#include "model/encoder_model.h"
#include "model/loaded_model.h"
#include "tokenizer/tokenizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace spw::ui {

const QString kHeldOutTextResource = QStringLiteral(":/text/heldout-cgroup-v2.txt");

QString QualityTextChoice::description() const
{
    if (isShipped())
        return QCoreApplication::translate("QualityText",
            "the held-out text shipped with the workbench (the Linux kernel's cgroup-v2 admin guide, which the demo "
            "model never saw in training)");
    return QDir::toNativeSeparators(path);
}

QString qualityUnavailableReason(const LoadedModel& model)
{
    if (!model.isValid())
        return QCoreApplication::translate("QualityText", "No model open.");
    if (model.model->head() != ModelHead::MaskedLM)
        return QCoreApplication::translate("QualityText",
            "Quality needs a masked-LM checkpoint (BertForMaskedLM or RobertaForMaskedLM): this model is a %1, "
            "without a head that predicts masked tokens.")
            .arg(QString::fromUtf8(architectureName(model.model->architecture())));
    if (!model.tokenizer)
        return QCoreApplication::translate(
            "QualityText", "Quality needs the model's tokenizer files to read the text; this folder has none.");
    return {};
}

TokenizedText tokenizeQualityText(
    const QualityTextChoice& choice, const Tokenizer& tokenizer, const ProgressCallback& progress)
{
    if (!choice.isShipped())
        return tokenizeEvaluationText(choice.path.toStdString(), tokenizer, choice.maxTokens, progress);
    // The engine reads files; the shipped text is a Qt resource, read here and tokenized the same way.
    QFile file(kHeldOutTextResource);
    if (!file.open(QIODevice::ReadOnly))
        fail("{}: the shipped held-out text is missing from this build", kHeldOutTextResource.toStdString());
    const QByteArray bytes = file.readAll();
    TokenizedText text;
    appendTokenizedText(text, tokenizer, bytes.toStdString(), kHeldOutTextResource.toStdString(), choice.maxTokens);
    reportProgress(progress, 1.0f);
    if (text.tokenCount == 0)
        fail("{}: the text gives no tokens", kHeldOutTextResource.toStdString());
    return text;
}

} // namespace spw::ui
