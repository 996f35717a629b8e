// sparse-workbench: the Qt workbench. All logic lives in spw_ui; see ui/app_startup.h for the flags.
#include "app_startup.h"

int main(int argc, char** argv)
{
    return spw::ui::runWorkbench(argc, argv);
}
