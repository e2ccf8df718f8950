# The staff console for this app: ModelAdmins are registered here.
