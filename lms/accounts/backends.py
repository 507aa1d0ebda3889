from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PhoneOrUsernameBackend(ModelBackend):
    """Authenticate by mobile number (workers) or username (staff).

    Like Django's own backend it runs the password hasher even when no user
    matches, so a miss and a hit take the same time.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        field = "phone" if username.isdigit() and len(username) == 11 else "username"
        try:
            user = User._default_manager.get(**{field: username})
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
