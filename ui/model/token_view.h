#pragma once
// A text box and its tokens, coloured by the attention block each falls into at the current block size
// (alternating colours per block, each block's index before its first token), followed by the padding tokens the
// block would add, greyed. Tokens are drawn as the text they stand for (engine/tokenizer/token_text.h: " the", not
// "Ġthe"); hovering one shows its id, position and vocabulary spelling. Tokenizing is quick: it runs on the GUI thread
// when the last measured speed says it takes under 5 ms for this text, and through the job runner otherwise.
#include "model/token_blocks.h"

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QTextBrowser;
class QTimer;

namespace spw {
class Tokenizer;
} // namespace spw

namespace spw::ui {

class JobRunner;

class TokenView : public QWidget {
    Q_OBJECT
public:
    TokenView(JobRunner* runner, QWidget* parent = nullptr);
    ~TokenView() override;

    // A model is open. null: its folder has no tokenizer files, and the view says so. maxLength: the model's usable
    // positions. Before the first call no model is open, and the view says only that.
    void setTokenizer(std::shared_ptr<const Tokenizer> tokenizer, std::int64_t maxLength);
    void setBlockSize(int block);
    void setText(const QString& text);
    QString text() const;
    int blockSize() const { return m_block; }

    // What is on screen: the tokens (special tokens included), their blocks, and the summary line.
    const QStringList& tokens() const { return m_tokens; }
    // What each token is drawn as, and the hover text of the token (or padding) at `position`.
    const QStringList& tokenTexts() const { return m_texts; }
    QString tokenToolTip(qsizetype position) const;
    std::vector<std::int64_t> blockIndices() const;
    const TokenBlocks& blocks() const { return m_blocks; }
    QString summaryText() const;
    QTextBrowser* tokenDisplay() const { return m_display; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

Q_SIGNALS:
    void tokensShown();

private:
    void tokenize();
    void showTokens(QStringList tokens, QStringList texts, std::vector<std::int64_t> ids);
    void render();

    JobRunner* m_runner = nullptr;
    std::shared_ptr<const Tokenizer> m_tokenizer;
    bool m_modelOpen = false;
    std::int64_t m_maxLength = 0;
    int m_block = 16;
    QPlainTextEdit* m_editor = nullptr;
    QLabel* m_summary = nullptr;
    QTextBrowser* m_display = nullptr;
    QTimer* m_debounce = nullptr;
    QStringList m_tokens;
    QStringList m_texts;
    std::vector<std::int64_t> m_ids;
    TokenBlocks m_blocks;
    // Nanoseconds per UTF-8 byte of the last tokenization, to predict the next one.
    double m_nanosPerByte = 1000.0;
};

} // namespace spw::ui
