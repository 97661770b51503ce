/* sel4-kconfig-check: see kconfig_cli.h. */
#include "kconfig_cli.h"

int main(int argc, char **argv)
{
    return kconfig_main(argc, argv, stdout, stderr);
}
