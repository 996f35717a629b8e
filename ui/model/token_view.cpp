#include "model/token_view.h"

#include "job_runner.h"
#include "tokenizer/token_text.h"
#include "tokenizer/tokenizer.h"

#include <QElapsedTimer>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

const QString kTokenizeChannel = QStringLiteral("tokenize");
constexpr double kGuiThreadBudgetNanos = 5e6;
// Drawing more tokens than this makes the view slow and says nothing more; the summary still counts them all.
constexpr int kMaxDrawnTokens = 4096;

const char* const kBlockColours[2] = { "#d7e7f7", "#fde3c6" };
const char* const kBlockTextColours[2] = { "#12395e", "#6a3500" };

const QString kTokenLink = QStringLiteral("token:");

struct Tokenized {
    QStringList tokens;
    QStringList texts;
    std::vector<std::int64_t> ids;
    double nanosPerByte = 0;
};

Tokenized tokenizeText(const Tokenizer& tokenizer, const QByteArray& utf8)
{
    QElapsedTimer timer;
    timer.start();
    const Encoding encoding = tokenizer.encode(utf8.toStdString());
    Tokenized result;
    result.tokens.reserve(int(encoding.tokens.size()));
    result.texts.reserve(int(encoding.tokens.size()));
    for (const std::string& token : encoding.tokens) {
        result.tokens.append(QString::fromStdString(token));
        result.texts.append(QString::fromStdString(tokenDisplayText(tokenizer.kind(), token)));
    }
    result.ids = encoding.ids;
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
    // Tokens are links only so that the view can tell which one is hovered: drawn like the rest of the text.
    m_display->document()->setDefaultStyleSheet(QStringLiteral("a { text-decoration: none; }"));
    m_display->viewport()->installEventFilter(this);
    layout->addWidget(m_display, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, &TokenView::tokenize);
    connect(m_editor, &QPlainTextEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    tokenize();
}

TokenView::~TokenView() = default;

void TokenView::setTokenizer(std::shared_ptr<const Tokenizer> tokenizer, std::int64_t maxLength)
{
    m_tokenizer = std::move(tokenizer);
    m_modelOpen = true;
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
        m_texts.clear();
        m_ids.clear();
        // Without a model (none given yet, or the one asked for failed to load, which the page says inline) there
        // is nothing to tokenize with, and nothing more to say.
        m_summary->setText(m_modelOpen ? tr("This model folder has no tokenizer files (tokenizer.json, vocab.txt or "
                                            "vocab.json): there is nothing to tokenize with.")
                                       : tr("No model open."));
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
            showTokens(result.tokens, result.texts, result.ids);
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
        showTokens(std::move(result.tokens), std::move(result.texts), std::move(result.ids));
    };
    handlers.failed = [this](const QString& message) { m_summary->setText(message); };
    m_summary->setText(tr("Tokenizing…"));
    m_runner->run<Tokenized>(kTokenizeChannel, this, std::move(work), std::move(handlers));
}

void TokenView::showTokens(QStringList tokens, QStringList texts, std::vector<std::int64_t> ids)
{
    m_tokens = std::move(tokens);
    m_texts = std::move(texts);
    m_ids = std::move(ids);
    render();
}

QString TokenView::tokenToolTip(qsizetype position) const
{
    if (position < 0 || position >= m_blocks.padded)
        return {};
    const std::int64_t block = m_blocks.blockOf(position);
    if (position >= m_tokens.size())
        return tr("Padding to the block (%1) · position %2 · block %3")
            .arg(QString::fromStdString(m_tokenizer->padToken()))
            .arg(position)
            .arg(block);
    // One arg() call: a token's text may itself read "%2".
    QString tip = tr("“%1” · id %2 · position %3 · block %4")
                      .arg(m_texts[position], QString::number(m_ids[std::size_t(position)]), QString::number(position),
                          QString::number(block));
    if (m_tokens[position] != m_texts[position])
        tip += tr("\nIn the vocabulary: %1").arg(m_tokens[position]);
    return tip;
}

bool TokenView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_display->viewport() && event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString anchor = m_display->anchorAt(help->pos());
        const QString tip
            = anchor.startsWith(kTokenLink) ? tokenToolTip(anchor.mid(kTokenLink.size()).toLongLong()) : QString();
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            // As rich text, escaped: a token such as "<s>" must not be read as markup.
            QToolTip::showText(help->globalPos(),
                QStringLiteral("<p style=\"white-space:pre\">%1</p>")
                    .arg(tip.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>"))),
                m_display->viewport());
        return true;
    }
    return QWidget::eventFilter(watched, event);
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
        // Spaces inside a token (" the") are kept as non-breaking ones: HTML would collapse them.
        if (i < m_tokens.size()) {
            const int parity = int(block % 2);
            html += QStringLiteral("<a href=\"%1%2\"><span style=\"background-color:%3; color:%4;\">&nbsp;%5&nbsp;"
                                   "</span></a> ")
                        .arg(kTokenLink)
                        .arg(i)
                        .arg(QLatin1String(kBlockColours[parity]), QLatin1String(kBlockTextColours[parity]),
                            m_texts[int(i)].toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
        } else {
            html += QStringLiteral("<a href=\"%1%2\"><span style=\"background-color:#ececec; color:#9a9a9a;\">"
                                   "&nbsp;%3&nbsp;</span></a> ")
                        .arg(kTokenLink)
                        .arg(i)
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
