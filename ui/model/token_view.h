#pragma once
// A text box and its tokens, coloured by the attention block each falls into at the current block size
// (alternating colours per block, each block's index before its first token), followed by the padding tokens the
// block would add, greyed. Tokenizing is quick: it runs on the GUI thread when the last measured speed says it
// takes under 5 ms for this text, and through the job runner otherwise.
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

    // null: the folder has no tokenizer files, and the view says so. maxLength: the model's usable positions.
    void setTokenizer(std::shared_ptr<const Tokenizer> tokenizer, std::int64_t maxLength);
    void setBlockSize(int block);
    void setText(const QString& text);
    QString text() const;
    int blockSize() const { return m_block; }

    // What is on screen: the tokens (special tokens included), their blocks, and the summary line.
    const QStringList& tokens() const { return m_tokens; }
    std::vector<std::int64_t> blockIndices() const;
    const TokenBlocks& blocks() const { return m_blocks; }
    QString summaryText() const;
    QTextBrowser* tokenDisplay() const { return m_display; }

Q_SIGNALS:
    void tokensShown();

private:
    void tokenize();
    void showTokens(const QStringList& tokens);
    void render();

    JobRunner* m_runner = nullptr;
    std::shared_ptr<const Tokenizer> m_tokenizer;
    std::int64_t m_maxLength = 0;
    int m_block = 16;
    QPlainTextEdit* m_editor = nullptr;
    QLabel* m_summary = nullptr;
    QTextBrowser* m_display = nullptr;
    QTimer* m_debounce = nullptr;
    QStringList m_tokens;
    TokenBlocks m_blocks;
    // Nanoseconds per UTF-8 byte of the last tokenization, to predict the next one.
    double m_nanosPerByte = 1000.0;
};

} // namespace spw::ui
