"""The customer directory, shared by the services that need it (intake, notifier): the model
(`model`: customers, their locations and contacts, and the lookups), the YAML file it is read
from (`yaml_file`) and the setting and reloading source that name that file (`source`).
What a service decides with it (intake's rejection of unknown senders, the notifier's choice of
whom to tell) stays in that service."""

from hotline.directory.model import (
    Contact,
    Customer,
    Directory,
    Location,
    normalise_address,
    normalise_name,
)
from hotline.directory.source import STACK_VARIABLE, DirectoryFile, directory_file_setting
from hotline.directory.yaml_file import DirectoryFileError, directory_from_yaml, load_directory

__all__ = [
    "STACK_VARIABLE",
    "Contact",
    "Customer",
    "Directory",
    "DirectoryFile",
    "DirectoryFileError",
    "Location",
    "directory_file_setting",
    "directory_from_yaml",
    "load_directory",
    "normalise_address",
    "normalise_name",
]
