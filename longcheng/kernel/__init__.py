"""The kernel: what every public service needs. It never imports a module (longcheng.modules.*)."""
