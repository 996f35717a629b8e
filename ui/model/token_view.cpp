#include "model/token_view.h"

#include "job_runner.h"
#include "tokenizer/tokenizer.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

const QString kTokenizeChannel = QStringLiteral("tokenize");
constexpr double kGuiThreadBudgetNanos = 5e6;
// Drawing more tokens than this makes the view slow and says nothing more; the summary still counts them all.
constexpr int kMaxDrawnTokens = 4096;

const char* const kBlockColours[2] = { "#d7e7f7", "#fde3c6" };
const char* const kBlockTextColours[2] = { "#12395e", "#6a3500" };

struct Tokenized {
    QStringList tokens;
    double nanosPerByte = 0;
};

Tokenized tokenizeText(const Tokenizer& tokenizer, const QByteArray& utf8)
{
    QElapsedTimer timer;
    timer.start();
    const Encoding encoding = tokenizer.encode(utf8.toStdString());
    Tokenized result;
    result.tokens.reserve(int(encoding.tokens.size()));
    for (const std::string& token : encoding.tokens)
        result.tokens.append(QString::fromStdString(token));
    result.nanosPerByte = double(timer.nsecsElapsed()) / std::max<qsizetype>(1, utf8.size());
    return result;
}

} // namespace

TokenView::TokenView(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(QStringLiteral("tokenText"));
    m_editor->setPlaceholderText(tr("Type or paste text to tokenize"));
    m_editor->setMaximumHeight(150);
    layout->addWidget(m_editor);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("tokenSummary"));
    m_summary->setWordWrap(true);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    layout->addWidget(m_summary);
    m_display = new QTextBrowser(this);
    m_display->setObjectName(QStringLiteral("tokenDisplay"));
    m_display->setOpenLinks(false);
    layout->addWidget(m_display, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, &TokenView::tokenize);
    connect(m_editor, &QPlainTextEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    setTokenizer(nullptr, 0);
}

TokenView::~TokenView() = default;

void TokenView::setTokenizer(std::shared_ptr<const Tokenizer> tokenizer, std::int64_t maxLength)
{
    m_tokenizer = std::move(tokenizer);
    m_maxLength = maxLength;
    m_editor->setEnabled(bool(m_tokenizer));
    tokenize();
}

void TokenView::setBlockSize(int block)
{
    if (block <= 0 || block == m_block)
        return;
    m_block = block;
    render();
}

void TokenView::setText(const QString& text)
{
    m_editor->setPlainText(text);
    m_debounce->stop();
    tokenize();
}

QString TokenView::text() const
{
    return m_editor->toPlainText();
}

QString TokenView::summaryText() const
{
    return m_summary->text();
}

std::vector<std::int64_t> TokenView::blockIndices() const
{
    std::vector<std::int64_t> indices;
    indices.reserve(std::size_t(m_tokens.size()));
    for (qsizetype i = 0; i < m_tokens.size(); ++i)
        indices.push_back(m_blocks.blockOf(i));
    return indices;
}

void TokenView::tokenize()
{
    m_debounce->stop();
    if (!m_tokenizer) {
        m_runner->cancel(kTokenizeChannel);
        m_tokens.clear();
        m_summary->setText(tr("This model folder has no tokenizer files (tokenizer.json, vocab.txt or vocab.json): "
                              "there is nothing to tokenize with."));
        m_display->clear();
        Q_EMIT tokensShown();
        return;
    }
    const QByteArray utf8 = m_editor->toPlainText().toUtf8();
    if (utf8.size() * m_nanosPerByte < kGuiThreadBudgetNanos) {
        m_runner->cancel(kTokenizeChannel); // a slower job for older text must not overwrite this
        try {
            const Tokenized result = tokenizeText(*m_tokenizer, utf8);
            m_nanosPerByte = result.nanosPerByte;
            showTokens(result.tokens);
        } catch (const std::exception& error) {
            m_summary->setText(QString::fromStdString(error.what()));
        }
        return;
    }
    std::shared_ptr<const Tokenizer> tokenizer = m_tokenizer;
    std::function<Tokenized(const ProgressCallback&)> work
        = [tokenizer, utf8](const ProgressCallback&) { return tokenizeText(*tokenizer, utf8); };
    JobRunner::Handlers<Tokenized> handlers;
    handlers.finished = [this](Tokenized result) {
        m_nanosPerByte = result.nanosPerByte;
        showTokens(result.tokens);
    };
    handlers.failed = [this](const QString& message) { m_summary->setText(message); };
    m_summary->setText(tr("Tokenizing…"));
    m_runner->run<Tokenized>(kTokenizeChannel, this, std::move(work), std::move(handlers));
}

void TokenView::showTokens(const QStringList& tokens)
{
    m_tokens = tokens;
    render();
}

void TokenView::render()
{
    if (!m_tokenizer)
        return;
    m_blocks = tokenBlocks(m_tokens.size(), m_block);
    QString summary = m_blocks.summary();
    if (m_maxLength > 0 && m_blocks.padded > m_maxLength)
        summary += tr(" — longer than the model's %1 positions").arg(QLocale().toString(qlonglong(m_maxLength)));
    m_summary->setText(summary);

    const QString padToken = QString::fromStdString(m_tokenizer->padToken()).toHtmlEscaped();
    QString html;
    html.reserve(int(std::min<qsizetype>(m_blocks.padded, kMaxDrawnTokens)) * 120);
    html += QStringLiteral("<div style=\"line-height: 160%;\">");
    const std::int64_t drawn = std::min<std::int64_t>(m_blocks.padded, kMaxDrawnTokens);
    for (std::int64_t i = 0; i < drawn; ++i) {
        const std::int64_t block = m_blocks.blockOf(i);
        if (i % m_blocks.block == 0)
            html += QStringLiteral("<span style=\"color:#8a8f98; font-size:small;\"><b>%1</b></span>&nbsp;").arg(block);
        if (i < m_tokens.size()) {
            const int parity = int(block % 2);
            html += QStringLiteral("<span style=\"background-color:%1; color:%2;\">&nbsp;%3&nbsp;</span> ")
                        .arg(QLatin1String(kBlockColours[parity]), QLatin1String(kBlockTextColours[parity]),
                            m_tokens[int(i)].toHtmlEscaped());
        } else {
            html += QStringLiteral("<span style=\"background-color:#ececec; color:#9a9a9a;\">&nbsp;%1&nbsp;</span> ")
                        .arg(padToken);
        }
    }
    if (drawn < m_blocks.padded)
        html += tr("<br/><i style=\"color:#8a8f98;\">… %1 more tokens not drawn</i>")
                    .arg(QLocale().toString(qlonglong(m_blocks.padded - drawn)));
    html += QStringLiteral("</div>");
    m_display->setHtml(html);
    Q_EMIT tokensShown();
}

} // namespace spw::ui
