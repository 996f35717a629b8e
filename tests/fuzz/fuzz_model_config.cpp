// Fuzzes config.json (engine/io/model_config.h) through the folder reader the CLI and the GUI use. A config the
// engine accepts must survive what export does with it: written back (toJson, saveModelConfig) and read again, it
// must give the same JSON.
#include "fuzz_support.h"

#include "io/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string folder = spw::fuzz::scratchSubfolder("model");
    static const std::string saved = spw::fuzz::scratchSubfolder("saved");
    spw::fuzz::writeFile(folder + "/config.json", data, size);
    spw::fuzz::expectEngineErrorsOnly([&] {
        const spw::ModelConfig config = spw::loadModelConfig(folder);
        const nlohmann::json written = config.toJson();
        if (spw::modelConfigFromJson(written).toJson() != written)
            spw::fuzz::finding("config.json changed when written back and read again");
        spw::saveModelConfig(config, saved + "/config.json");
        if (spw::loadModelConfig(saved).toJson() != written)
            spw::fuzz::finding("config.json changed when saved and loaded again");
    });
    return 0;
}
