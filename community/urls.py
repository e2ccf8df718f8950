from community.views import CommentViewSet, PostViewSet, SupportGroupViewSet
from kaya.routing import ApiRouter

app_name = "community"

# Groups and comments first: their prefixes sit under the posts' prefix.
router = ApiRouter()
router.register("community/groups", SupportGroupViewSet, basename="group")
router.register("community/comments", CommentViewSet, basename="comment")
router.register("community", PostViewSet, basename="post")

urlpatterns = [*router.urls]
