#pragma once
// What every harness shares: a scratch folder for entry points that read files, and the rule for what counts as a
// finding. The engine promises (design.md §6, style) that a malformed file ends in spw::Error naming it; anything
// else that escapes (std::bad_alloc, a JSON library exception, a LibTorch error) is a finding, as are the
// sanitizers' reports and a harness's own broken invariant.
#include <cstddef>
#include <cstdint>
#include <string>

namespace spw::fuzz {

// A folder created once per process under $TMPDIR, removed at exit.
const std::string& scratchFolder();
// scratchFolder()/NAME, created on first use.
std::string scratchSubfolder(const std::string& name);
// Writes `size` bytes to `path`, replacing it; aborts when it cannot (the harness, not the engine, is broken).
void writeFile(const std::string& path, const void* data, std::size_t size);
void writeFile(const std::string& path, const std::string& text);

// Prints "FUZZ FINDING: <what>" on stderr and aborts, so that libFuzzer saves the input.
[[noreturn]] void finding(const std::string& what);

// Runs `body`; an spw::Error is the expected outcome of a bad input, every other exception is a finding.
template <typename Body> void expectEngineErrorsOnly(Body&& body);

} // namespace spw::fuzz

#include "common/error.h"

#include <exception>

namespace spw::fuzz {

template <typename Body> void expectEngineErrorsOnly(Body&& body)
{
    try {
        body();
    } catch (const Error&) {
    } catch (const std::exception& e) {
        finding(std::string("an exception other than spw::Error escaped: ") + e.what());
    } catch (...) {
        finding("an exception that is not a std::exception escaped");
    }
}

} // namespace spw::fuzz
